package io.sparkrnn.jobs;

import io.sparkrnn.engine.tensor.BlasKernels;
import io.sparkrnn.jobs.config.ConfigException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * The command line, for {@code spark-submit --class io.sparkrnn.jobs.Main <jar> <command> ...} on a cluster
 * and for a plain local run (embedded {@code local[*]} Spark) through {@code bin/spark-rnn}.
 *
 * <p>Exit codes: 0 success; 2 bad config or command line; 3 bad input data; 4 refresh trained a version that was not
 * promoted; 1 a failed job.
 */
@Command(name = "spark-rnn", synopsisHeading = "%nusage: ", customSynopsis = "spark-rnn <command> [options]",
        header = "spark-rnn: train recurrent sequence models on Apache Spark", description = Main.COMMANDS,
        descriptionHeading = "%n", footerHeading = "%n", footer = Main.EXAMPLES)
public final class Main implements Callable<Integer> {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_CONFIG = 2;
    static final int BAD_INPUT = 3;
    /** {@code refresh}: a new version was trained and registered, but the serving one stays (its gate failed). */
    static final int NOT_PROMOTED = 4;

    @Spec
    private CommandSpec spec;
    /** Not listed: the commands block says how to get help. */
    @Option(names = {"-h", "--help"}, usageHelp = true, hidden = true)
    private boolean help;

    private Main() {
    }

    public static void main(String[] args) {
        launch(() -> run(args, System.out, System.err));
    }

    /**
     * The start of every entry point, this one and the bench module's: the BLAS kernels and JavaCPP's memory cap
     * are chosen before ND4J loads, then {@code command} runs; an exit code other than 0 ends the process.
     */
    public static void launch(IntSupplier command) {
        BlasKernels.configure();
        NativeMemoryLimit.applyDefault(System.getProperties(), Runtime.getRuntime().maxMemory());
        int code = command.getAsInt();
        if (code != OK) {
            System.exit(code);
        }
    }

    /** Runs a command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Cli.execute(commandLine(out), args, out, err);
    }

    /** The command tree: spark-rnn and its commands, each printing to {@code out}. */
    static CommandLine commandLine(PrintStream out) {
        CommandLine cl = new CommandLine(new Main());
        // The description lists the commands with their synopses; picocli's list of names would repeat it. Set
        // before the commands are added, which keep their own sections.
        List<String> sections = new ArrayList<>(cl.getHelpSectionKeys());
        sections.removeAll(List.of(UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING,
                UsageMessageSpec.SECTION_KEY_COMMAND_LIST));
        cl.setHelpSectionKeys(sections);
        return cl.addSubcommand(TrainCommand.commandLine(out))
                .addSubcommand(new ModelCommands.Predict(out))
                .addSubcommand(new ModelCommands.Evaluate(out))
                .addSubcommand(new ModelCommands.Inspect(out))
                .addSubcommand(new ExportCommand(out))
                .addSubcommand(io.sparkrnn.jobs.registry.RegistryCommand.commandLine(out))
                .addSubcommand(new RefreshCommand(out))
                .addSubcommand(new SwordPairsCommand(out))
                .addSubcommand(new Bench())
                .addSubcommand(new HelpCommand());
    }

    /** {@code spark-rnn} without a command: the help, and exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return BAD_CONFIG;
    }

    /** The benchmarks and their DL4J peers are the bench module, which bin/spark-rnn runs; not this jar. */
    @Command(name = "bench", description = "the benchmarks: from a build of the source tree, bin/spark-rnn bench")
    static final class Bench implements Callable<Integer> {
        /** Whatever follows bench, refused with it. */
        @Unmatched
        List<String> args;

        @Override
        public Integer call() {
            throw new ConfigException("bench is not part of this jar; run it from a build of the source tree: "
                    + "bin/spark-rnn bench engine|spark|scaling");
        }
    }

    static final String COMMANDS = """
            commands:
              train <config.conf> [--set key=value]... [--fresh]
                                    train a model (task lm, tag, classify, forecast or seq2seq); keys: train --help
              evaluate <model-dir> --data <path>
                                    the task's metrics on a corpus, as JSON
              predict <model-dir> --data <path> --output <dir> [--format tsv|parquet] [--overwrite]
                                    tag, classify, forecast or translate a corpus as a Spark job
              predict <model-dir> [--prompt TEXT] [--length N] [--temperature T] [--top-k K] [--seed S]
                                    generate text with a language model
              inspect <model-dir>   the model's task, spec, parameter shapes, vocabularies and eval.json
              export <model-dir> --format onnx|pytorch --out <path> [--overwrite]
                                    the model as an ONNX file or a PyTorch folder (lm, tag, classify, forecast)
              registry <list|show|register|promote|rollback> <root> ...
                                    versions of models: register, promote, roll back; registry --help
              refresh <config.conf> --registry <root> --name <name> --promote-if-better <metric> [--tolerance X]
                                    train the serving version further, register it, promote it if not worse
              bench engine [--cells lstm,gru,rnn] [--hidden 128,512] [--threads 1,2] [--json out.json]
                                    time the training step: ours, DL4J, PyTorch
              bench spark [--rounds 8] [--local-steps 25] [--json out.json]
                                    distributed training: ours vs dl4j-spark on local[2]
              bench scaling [--rounds 24] [--json out.json]
                                    1 vs 2 partitions, and Nesterov vs plain averaging
              <command> --help      the command's options and examples
              help [<command>]      the same""";
    static final String EXAMPLES = """
            examples:
              bin/spark-rnn train conf/char-lm.conf
              bin/spark-rnn train conf/char-lm.conf --set train.rounds=5 --set model.cell=gru
              bin/spark-rnn predict out/char-lm --prompt "Call me " --length 200 --top-k 10
              bin/spark-rnn evaluate out/char-lm --data data/samples/moby-dick/moby-dick.txt
              bin/spark-rnn train conf/brown-tagger.conf
              bin/spark-rnn evaluate out/brown-tagger --data data/samples/brown
              bin/spark-rnn predict out/brown-tagger --data data/samples/brown/cp01 --output out/tags
              bin/spark-rnn train conf/spam-classifier.conf
              bin/spark-rnn train conf/births-forecast.conf
              bin/spark-rnn inspect out/births-forecast
              bin/spark-rnn export out/brown-tagger --format onnx --out out/brown-tagger.onnx
              bin/spark-rnn registry register out/registry char-lm out/char-lm
              bin/spark-rnn refresh conf/char-lm.conf --registry out/registry --name char-lm --promote-if-better bits_per_char
              bin/spark-rnn train conf/cmudict-g2p.conf
              bin/spark-rnn predict out/cmudict-g2p --data data/samples/cmudict/cmudict-sample.txt --output out/g2p
              bin/spark-rnn bench engine --json out/bench-engine.json
              spark-submit --master spark://host:7077 --class io.sparkrnn.jobs.Main <jar> train char-lm.conf

            exit codes: 0 success, 2 config error, 3 bad input data, 4 refresh: trained but not promoted, 1 failed job""";
}
