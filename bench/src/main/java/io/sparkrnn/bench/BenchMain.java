package io.sparkrnn.bench;

import io.sparkrnn.jobs.Cli;
import io.sparkrnn.jobs.Main;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The entry point of {@code bin/spark-rnn bench engine|spark|scaling|rounds|gemm|seq2seq ...} (the arguments
 * after {@code bench}): the command line's start-up ({@link Main#launch}), then the benchmark's options and exit
 * codes ({@link Cli#execute}) around {@link EngineBench}, {@link SparkComparison}, {@link ScalingRuns},
 * {@link RoundCost}, {@link GemmBench} and {@link Seq2SeqBench}.
 */
@Command(name = "spark-rnn bench", synopsisHeading = "usage: ", customSynopsis = """
        spark-rnn bench engine [options]
               spark-rnn bench spark [options]
               spark-rnn bench scaling [options]
               spark-rnn bench rounds [options]
               spark-rnn bench gemm [options]
               spark-rnn bench seq2seq <config> [options]""",
        optionListHeading = "%noptions:%n", commandListHeading = "%nbenchmarks:%n", footerHeading = "%n", footer = """
                spark-rnn bench <benchmark> --help: the benchmark's options and what it measures

                examples:
                  bin/spark-rnn bench engine --json out/bench-engine.json
                  bin/spark-rnn bench spark --json out/bench-spark.json
                  bin/spark-rnn bench scaling --json out/bench-scaling.json
                  bin/spark-rnn bench rounds --json out/bench-rounds.json
                  bin/spark-rnn bench gemm --json out/bench-gemm.json
                  bin/spark-rnn bench seq2seq conf/translate.conf --seconds 180 --json out/bench-seq2seq.json""")
public final class BenchMain implements Callable<Integer> {
    @Spec
    private CommandSpec spec;
    @Mixin
    private Cli.HelpOption help;

    private BenchMain() {
    }

    public static void main(String[] args) {
        Main.launch(() -> run(args, System.out, System.err));
    }

    /** Runs a benchmark; returns the exit code (0 when every measurement ran, 1 when one failed, 2 bad options). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        SparkBench spark = new SparkBench(out);
        CommandLine bench = new CommandLine(new BenchMain())
                .addSubcommand(new EngineBench(out))
                .addSubcommand(new SparkComparison(spark))
                .addSubcommand(new ScalingRuns(spark))
                .addSubcommand(new RoundCost(out))
                .addSubcommand(new GemmBench(out))
                .addSubcommand(new Seq2SeqBench(out))
                .addSubcommand(new HelpCommand());
        return Cli.execute(bench, args, out, err);
    }

    /** {@code bench} without a benchmark: the help, and exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }
}
