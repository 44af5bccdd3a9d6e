package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Part;
import io.sparkrnn.driver.corpus.pairs.Subwords;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.jobs.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Commands on a trained model folder ({@code <output.dir>/model}): {@code predict} (generate text from a
 * language model; tag, classify or forecast a corpus as a Spark job), {@code evaluate} (the task's metrics on a
 * corpus) and {@code inspect} (task, spec, shapes, files and eval.json).
 */
final class ModelCommands {
    private ModelCommands() {
    }

    /** {@code predict}: a corpus through a tagger, classifier, forecaster or seq2seq model, or text from an lm. */
    @Command(name = "predict", synopsisHeading = "usage: ", customSynopsis = """
            spark-rnn predict <model-dir> --data <path> --output <dir> [--format tsv|parquet] [--overwrite]
                                     [--input-format F] [--master M]        (tag, classify, forecast, seq2seq)
                                     [--beam N] [--alpha A]                 (seq2seq: decoding settings)
                   spark-rnn predict <model-dir> [--prompt TEXT] [--length N] [--temperature T] [--top-k K] [--seed S]
                                                                            (lm)""",
            descriptionHeading = "%n", description = """
            A tagger writes (sentence, word/TAG ...), a classifier (id, label, probability), a forecaster
            (window_start, time, then per target and step the forecast and the actual value; last the forecast
            of the steps after the data, actual NaN), a seq2seq model (source,
            prediction, score: the length-normalised log-probability; beam search when decode.beam > 1; a source
            longer than data.max-source-length gets an empty prediction and score NaN). --input-format: tag
            brown | conll | text (one sentence of words a line); classify tsv | folders | lines (one text a
            line); seq2seq cmudict | tsv | parquet | lines (one source a line); default the model's training
            format. The output folder must not exist unless --overwrite;
            it is written beside it and renamed when complete.""",
            parameterListHeading = "%n", optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
            examples:
              bin/spark-rnn predict out/brown-tagger --data data/samples/brown/cp01 --output out/tags
              bin/spark-rnn predict out/spam-classifier --data data/samples/spam-assassin --output out/spam --format parquet
              bin/spark-rnn predict out/births-forecast --data data/samples/us-births/us-births.csv --output out/births
              bin/spark-rnn predict out/cmudict-g2p --data data/samples/cmudict/cmudict-sample.txt --output out/g2p
              bin/spark-rnn predict out/char-lm --prompt "Call me " --length 200 --top-k 10""")
    static final class Predict implements Callable<Integer> {
        private final PrintStream out;

        @Parameters(index = "0", paramLabel = "<model-dir>", description = "a run's output.dir, or its model folder: "
                + "a local path or a URI (hdfs://...)")
        private String modelDir;
        @Option(names = "--data", paramLabel = "<path>", description = "the corpus to predict (tag, classify, "
                + "forecast, seq2seq)")
        private String data;
        @Option(names = "--output", paramLabel = "<dir>", description = "the folder of predictions to write: a "
                + "local path or a URI")
        private String output;
        @Option(names = "--format", paramLabel = "tsv|parquet", description = "the predictions' format; default tsv")
        private PredictionWriter.Format format = PredictionWriter.Format.TSV;
        @Option(names = "--overwrite", description = "replace an existing --output folder")
        private boolean overwrite;
        @Option(names = "--input-format", paramLabel = "F", description = "how to read --data; default the model's "
                + "training format")
        private String inputFormat;
        @Option(names = "--master", paramLabel = "M", description = "the Spark master; default local[*]")
        private String master;
        @Mixin
        private Decoding decoding;
        @Option(names = "--prompt", paramLabel = "TEXT", description = "lm: the text to continue; default a line "
                + "break")
        private String prompt = "\n";
        @Option(names = "--length", paramLabel = "N", description = "lm: tokens to generate, >= 1; default 300")
        private int length = 300;
        @Option(names = "--temperature", paramLabel = "T", description = "lm: sampling temperature, > 0; default 0.8")
        private double temperature = 0.8;
        @Option(names = "--top-k", paramLabel = "K", description = "lm: sample from the K likeliest tokens, 0 = all; "
                + "default 0")
        private int topK = 0;
        @Option(names = "--seed", paramLabel = "S", description = "lm: the sampling seed, >= 0; default 1")
        private int seed = 1;
        @Mixin
        private Cli.HelpOption help;

        Predict(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            TrainedModel m = TrainedModel.open(modelDir, decoding.overrides());
            decoding.check(m);
            if (m.task().usesSpark()) {
                if (data == null || output == null) {
                    throw new ConfigException("predict with a " + m.task().name() + " model needs --data <path> and "
                            + "--output <dir>");
                }
                PredictionWriter w = new PredictionWriter(output, format, overwrite, inputFormat);
                long n = withSpark(master, "predict", sc -> m.task().predict(sc, m, data, w));
                out.printf(Locale.ROOT, "%,d predictions in %s%n", n, w.output());
                return Main.OK;
            }
            if (data != null || output != null || inputFormat != null) {
                throw new ConfigException("a language model generates text from --prompt (see predict --help); "
                        + "--data, --output and --input-format are for tag, classify, forecast and seq2seq models");
            }
            return generate(m);
        }

        private int generate(TrainedModel m) {
            LmGenerator g = LmGenerator.of(m);
            if (prompt.isEmpty()) {
                throw new ConfigException("--prompt must not be empty");
            }
            int[] ids;
            try {
                ids = g.encode(prompt);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--prompt: " + e.getMessage());
            }
            if (ids.length == 0) {
                throw new ConfigException("--prompt holds no word; give one or more words");
            }
            atLeast("--length", length, 1);
            atLeast("--top-k", topK, 0);
            atLeast("--seed", seed, 0);
            if (!(temperature > 0)) {
                throw new ConfigException("--temperature must be > 0, found " + temperature);
            }
            out.println(g.generate(prompt, ids, length, temperature, topK, seed));
            return Main.OK;
        }
    }

    /** {@code evaluate}: the task's metrics on a corpus, or on the held-out part of the training corpus. */
    @Command(name = "evaluate", synopsisHeading = "usage: ", customSynopsis = """
            spark-rnn evaluate <model-dir> (--data <path> | --part validation|test) [--beam N] [--alpha A] [--master M]""",
            descriptionHeading = "%n", description = """
            Prints the task's metrics on a corpus as JSON: lm bits per char and perplexity; tag token accuracy,
            per-tag and macro F1; classify accuracy, per-class precision / recall / F1 and the confusion matrix;
            forecast MAE and RMSE (original units); seq2seq the token and sequence error rates named after the
            targets (phones per and wer, characters cer and wer, words ter and ser) and corpus BLEU-4, greedy and
            with decode.beam > 1 beam search (beam_*). Beside them the baselines' on the same examples: lm unigram
            (--part validation), tag most frequent tag per word, classify majority label and naive Bayes (both
            fitted on the training part of the model's corpus, when it is there), forecast seasonal naive and
            persistence, seq2seq copy the source. The corpus is read as the model's training data was (config.conf
            in the model folder).
            --part validation|test scores only the held-out part of the model's training corpus (data.train of
            config.conf, or --data when the corpus moved), drawn as training drew it: the seeded split of
            train.seed, data.validation-fraction and data.test-fraction (tag, classify, seq2seq: a test part
            when data.test-fraction > 0; forecast has one too), or the time-order split (lm: the last share of the text; forecast: the rows after the
            training part). The figures equal eval.json's valid_* / test_* ones.
            --beam and --alpha (seq2seq) replace the model's decode.beam and decode.alpha for this evaluation,
            e.g. to choose them on the validation part before scoring the test part once.""",
            parameterListHeading = "%n", optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
            examples:
              bin/spark-rnn evaluate out/char-lm --data data/samples/moby-dick/moby-dick.txt
              bin/spark-rnn evaluate out/brown-tagger --data data/samples/brown
              bin/spark-rnn evaluate out/brown-tagger --part validation
              bin/spark-rnn evaluate out/births-forecast --data data/samples/us-births/us-births.csv
              bin/spark-rnn evaluate out/cmudict-g2p --part test""")
    static final class Evaluate implements Callable<Integer> {
        private final PrintStream out;

        @Parameters(index = "0", paramLabel = "<model-dir>", description = "a run's output.dir, or its model folder: "
                + "a local path or a URI (hdfs://...)")
        private String modelDir;
        @Option(names = {"--data", "--text"}, paramLabel = "<path>", description = "the corpus to score")
        private String data;
        @Option(names = "--part", paramLabel = "validation|test", description = "score the held-out part of the "
                + "training corpus (all: the whole --data)")
        private Part part;
        @Option(names = "--master", paramLabel = "M", description = "the Spark master; default local[*]")
        private String master;
        @Mixin
        private Decoding decoding;
        @Mixin
        private Cli.HelpOption help;

        Evaluate(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            Part p = part == null ? Part.ALL : part;
            String corpus = data;
            if (corpus == null && p == Part.ALL) {
                throw new ConfigException("evaluate needs --data <path>, or --part validation|test for the held-out "
                        + "part of the model's training corpus");
            }
            TrainedModel m = TrainedModel.open(modelDir, decoding.overrides());
            decoding.check(m);
            String separate = m.settings().data().validation();
            if (p == Part.VALIDATION && !separate.isEmpty()) {
                // trained on all of data.train and validated on another corpus: that corpus is the validation part
                if (corpus != null) {
                    throw new ConfigException("--part validation: the model in " + m.dir() + " was validated on "
                            + "data.validation = " + separate + ", not on a share of its training corpus; evaluate "
                            + "it with --data " + separate);
                }
                corpus = separate;
                p = Part.ALL;
            } else if (corpus == null) {
                corpus = m.settings().data().train();
            }
            String c = corpus;
            Part scored = p;
            ObjectNode n = m.task().usesSpark() || scored != Part.ALL
                    ? withSpark(master, "evaluate", sc -> m.task().evaluate(sc, m, c, scored))
                    : m.task().evaluate(null, m, c, scored);
            if (part != null) {
                n.put("part", part.label());
                n.put("data", c);
            }
            out.println(n);
            return Main.OK;
        }
    }

    /** {@code inspect}: what a model folder holds. */
    @Command(name = "inspect", synopsisHeading = "usage: ", customSynopsis = "spark-rnn inspect <model-dir>",
            descriptionHeading = "%n", description = "Prints the model's task, spec, parameter shapes, task files "
                    + "(vocabularies, normaliser) and eval.json.",
            parameterListHeading = "%n", optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
            example:
              bin/spark-rnn inspect out/brown-tagger""")
    static final class Inspect implements Callable<Integer> {
        private final PrintStream out;

        @Parameters(index = "0", paramLabel = "<model-dir>", description = "a run's output.dir, or its model folder: "
                + "a local path or a URI (hdfs://...)")
        private String modelDir;
        @Mixin
        private Cli.HelpOption help;

        Inspect(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            TrainedModel m = TrainedModel.open(modelDir);
            Location dir = m.dir();
            out.println("model " + dir.absolute());
            out.println("task: " + m.task().name() + " (data " + m.settings().data().train() + ")");
            out.println(m.loaded().spec().toJson(m.loaded().provenance()));
            ParamLayout layout = m.loaded().model().layout();
            out.printf(Locale.ROOT, "parameters: %,d%n", layout.size());
            for (var e : layout.entries()) {
                out.println("  " + e.name() + " " + java.util.Arrays.toString(e.shape()));
            }
            try {
                for (String name : dir.list(true)) {
                    Location f = dir.resolve(name);
                    if (name.startsWith("vocab-")) {
                        String text;
                        try {
                            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(f.readBytes()))
                                    .toString();
                        } catch (java.nio.charset.CharacterCodingException e) {
                            throw new InputException(f + " is not UTF-8 text: the vocabulary is damaged");
                        }
                        out.printf(Locale.ROOT, "%s: %,d entries%n", name, text.lines().count());
                    } else if (name.equals(Subwords.SOURCE) || name.equals(Subwords.TARGET)
                            || name.equals(Bpe.INPUT_FILE)) {
                        try {
                            out.printf(Locale.ROOT, "%s: %,d merges%n", name, Bpe.fromText(f.readString(),
                                    f.toString()).merges().size());
                        } catch (CorpusException e) {
                            throw new InputException(e.getMessage());
                        }
                    } else if (name.equals(ForecastTask.NORMALIZER)) {
                        out.println(name + ": " + f.readString().strip());
                    }
                }
                Location eval = dir.parent() == null ? null : dir.parent().resolve("eval.json");
                if (eval != null && eval.exists()) {
                    out.println("eval.json: " + eval.readString().strip());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + dir, e);
            }
            return Main.OK;
        }
    }

    /** {@code --beam} and {@code --alpha} of predict and evaluate: a seq2seq model's decoding, for this command. */
    static final class Decoding {
        @Option(names = "--beam", paramLabel = "N", description = "seq2seq: the beam width for this command, "
                + "replacing the model's decode.beam (1 = greedy)")
        private Integer beam;
        @Option(names = "--alpha", paramLabel = "A", description = "seq2seq: the length normalisation for this "
                + "command, replacing the model's decode.alpha")
        private Double alpha;

        /** The options as overrides of the model's decode.beam and decode.alpha. */
        List<String> overrides() {
            List<String> set = new ArrayList<>();
            if (beam != null) {
                set.add("decode.beam=" + beam);
            }
            if (alpha != null) {
                set.add("decode.alpha=" + alpha);
            }
            return set;
        }

        /** Refuses the options for a model that does not decode (every task but seq2seq). */
        void check(TrainedModel m) {
            boolean decodes = m.loaded().spec().match(s -> false, s -> true);
            if ((beam != null || alpha != null) && !decodes) {
                throw new ConfigException("--beam and --alpha are decoding settings of seq2seq models; the model in "
                        + m.dir() + " is a " + m.task().name() + " model");
            }
        }
    }

    /** Runs {@code body} in a Spark context of its own (embedded local[*] unless a master is given). */
    static <T> T withSpark(String master, String command, Function<JavaSparkContext, T> body) {
        SparkConf conf = new SparkConf().setAppName("spark-rnn " + command)
                .setIfMissing("spark.master", master == null ? "local[*]" : master);
        conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", conf.get("spark.task.cpus", "1"));
        try (JavaSparkContext sc = SparkContexts.open(conf, "--master")) {
            sc.setLogLevel("WARN");
            return body.apply(sc);
        }
    }

    private static void atLeast(String option, int value, int min) {
        if (value < min) {
            throw new ConfigException(option + " must be >= " + min + ", found " + value);
        }
    }
}
