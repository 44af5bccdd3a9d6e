package io.sparkrnn.jobs;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The command line, for {@code spark-submit --class io.sparkrnn.jobs.Main <jar> <command> ...} on a cluster
 * and for a plain local run (embedded {@code local[*]} Spark) through {@code bin/spark-rnn}.
 *
 * <p>Exit codes: 0 success; 2 bad config or command line; 3 bad input data; 1 a failed job.
 */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_CONFIG = 2;
    static final int BAD_INPUT = 3;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != OK) {
            System.exit(code);
        }
    }

    /** Runs a command; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(usage());
            return args.length == 0 ? BAD_CONFIG : OK;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "train" -> new TrainCommand(out).run(rest);
                case "predict" -> new ModelCommands(out).predict(rest);
                case "evaluate" -> new ModelCommands(out).evaluate(rest);
                case "inspect" -> new ModelCommands(out).inspect(rest);
                case "bench" -> new io.sparkrnn.jobs.bench.EngineBench(out).run(rest);
                default -> {
                    err.println("spark-rnn: unknown command '" + args[0] + "'; commands: train, predict, evaluate, "
                            + "inspect, bench (see --help)");
                    yield BAD_CONFIG;
                }
            };
        } catch (ConfigException e) {
            err.println("spark-rnn: config error: " + e.getMessage());
            return BAD_CONFIG;
        } catch (InputException | io.sparkrnn.driver.corpus.CorpusException e) {
            err.println("spark-rnn: bad input: " + e.getMessage());
            return BAD_INPUT;
        } catch (RuntimeException e) {
            err.println("spark-rnn: " + args[0] + " failed: " + e);
            e.printStackTrace(err);
            return FAILED;
        }
    }

    static String usage() {
        return """
                spark-rnn: train recurrent sequence models on Apache Spark

                usage: spark-rnn <command> [options]

                commands:
                  train <config.conf> [--set key=value]...   train a model; see the config reference in README.md
                  predict <model-dir> [--prompt TEXT] [--length N] [--temperature T] [--top-k K] [--seed S]
                                                             generate text with a trained language model
                  evaluate <model-dir> --text <file.txt>     bits per character of a text under the model
                  inspect <model-dir>                        the model's spec, parameter shapes and eval.json
                  bench engine [--cells lstm,gru,rnn] [--hidden 128,512] [--repeats 5] [--json out.json]
                                                             time the training step: ours, DL4J, PyTorch

                examples:
                  bin/spark-rnn train conf/char-lm.conf
                  bin/spark-rnn train conf/char-lm.conf --set train.rounds=5 --set model.cell=gru
                  bin/spark-rnn predict out/char-lm --prompt "Call me " --length 200 --top-k 10
                  bin/spark-rnn evaluate out/char-lm --text data/samples/moby-dick/moby-dick.txt
                  bin/spark-rnn inspect out/char-lm
                  bin/spark-rnn bench engine --json out/bench-engine.json
                  spark-submit --master spark://host:7077 --class io.sparkrnn.jobs.Main <jar> train char-lm.conf

                exit codes: 0 success, 2 config error, 3 bad input data, 1 failed job
                """;
    }
}
