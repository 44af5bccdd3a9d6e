package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.model.Sampler;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.param.ParamLayout;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Commands on a trained model folder ({@code <output.dir>/model}): {@code predict} (generate text from a
 * language model; tag, classify or forecast a corpus as a Spark job), {@code evaluate} (the task's metrics on a
 * corpus) and {@code inspect} (task, spec, shapes, files and eval.json).
 */
final class ModelCommands {
    static final String PREDICT_USAGE = """
            predict <model-dir> --data <path> --output <dir> [--format tsv|parquet] [--overwrite]
                                [--input-format F] [--master M]             (tag, classify, forecast, seq2seq)
                                [--beam N] [--alpha A]                      (seq2seq: decoding settings)
            predict <model-dir> [--prompt TEXT] [--length N] [--temperature T] [--top-k K] [--seed S]   (lm)

            A tagger writes (sentence, word/TAG ...), a classifier (id, label, probability), a forecaster
            (window_start, then per target and step the forecast and the actual value), a seq2seq model (source,
            prediction, score: the length-normalised log-probability; beam search when decode.beam > 1; a source
            longer than data.max-source-length gets an empty prediction and score NaN). --input-format: tag
            brown | conll | text (one sentence of words a line); classify tsv | folders | lines (one text a
            line); seq2seq cmudict | tsv | parquet | lines (one source a line); default the model's training
            format. The output folder must not exist unless --overwrite;
            it is written beside it and renamed when complete.

            examples:
              bin/spark-rnn predict out/brown-tagger --data data/samples/brown/cp01 --output out/tags
              bin/spark-rnn predict out/spam-classifier --data data/samples/spam-assassin --output out/spam --format parquet
              bin/spark-rnn predict out/births-forecast --data data/samples/us-births/us-births.csv --output out/births
              bin/spark-rnn predict out/cmudict-g2p --data data/samples/cmudict/cmudict-sample.txt --output out/g2p
              bin/spark-rnn predict out/char-lm --prompt "Call me " --length 200 --top-k 10""";
    static final String EVALUATE_USAGE = """
            evaluate <model-dir> (--data <path> | --part validation|test) [--beam N] [--alpha A] [--master M]

            Prints the task's metrics on a corpus as JSON: lm bits per char and perplexity; tag token accuracy,
            per-tag and macro F1; classify accuracy, per-class precision / recall / F1 and the confusion matrix;
            forecast MAE and RMSE with the seasonal-naive baseline's (original units); seq2seq phoneme (token)
            error rate, word (sequence) error rate and corpus BLEU-4, greedy and with decode.beam > 1 beam
            search (beam_*). The corpus is read as the model's training data was (config.conf in the model
            folder).
            --part validation|test scores only the held-out part of the model's training corpus (data.train of
            config.conf, or --data when the corpus moved), drawn as training drew it: the seeded split of
            train.seed and data.validation-fraction (tag, classify, seq2seq; seq2seq and forecast also have a
            test part), or the time-order split (lm: the last share of the text; forecast: the rows after the
            training part). The figures equal eval.json's valid_* / test_* ones.
            --beam and --alpha (seq2seq) replace the model's decode.beam and decode.alpha for this evaluation,
            e.g. to choose them on the validation part before scoring the test part once.

            examples:
              bin/spark-rnn evaluate out/char-lm --data data/samples/moby-dick/moby-dick.txt
              bin/spark-rnn evaluate out/brown-tagger --data data/samples/brown
              bin/spark-rnn evaluate out/brown-tagger --part validation
              bin/spark-rnn evaluate out/births-forecast --data data/samples/us-births/us-births.csv
              bin/spark-rnn evaluate out/cmudict-g2p --part test""";
    static final String INSPECT_USAGE = """
            inspect <model-dir>

            Prints the model's task, spec, parameter shapes, task files (vocabularies, normaliser) and eval.json.

            example:
              bin/spark-rnn inspect out/brown-tagger""";

    private final PrintStream out;

    ModelCommands(PrintStream out) {
        this.out = out;
    }

    int predict(String[] args) {
        Map<String, String> o = options(args, List.of("--prompt", "--length", "--temperature", "--top-k", "--seed",
                "--data", "--output", "--format", "--input-format", "--beam", "--alpha", "--master"),
                List.of("--overwrite"), PREDICT_USAGE);
        if (o == null) {
            return Main.OK;
        }
        TrainedModel m = TrainedModel.open(o.get(""), decodeOverrides(o));
        requireSeq2SeqForDecode(o, m);
        if (m.task().usesSpark()) {
            if (!o.containsKey("--data") || !o.containsKey("--output")) {
                throw new ConfigException("predict with a " + m.task().name() + " model needs --data <path> and "
                        + "--output <dir>");
            }
            PredictionWriter w = new PredictionWriter(o.get("--output"), o.getOrDefault("--format", "tsv"),
                    o.containsKey("--overwrite"), o.get("--input-format"));
            long n = withSpark(o, "predict", sc -> m.task().predict(sc, m, o.get("--data"), w));
            out.printf(Locale.ROOT, "%,d predictions in %s%n", n, w.output());
            return Main.OK;
        }
        return generate(m, o);
    }

    private int generate(TrainedModel m, Map<String, String> o) {
        LmVocabulary vocab = LmVocabulary.of(m);
        String prompt = o.getOrDefault("--prompt", "\n");
        if (prompt.isEmpty()) {
            throw new ConfigException("--prompt must not be empty");
        }
        int[] ids;
        try {
            ids = vocab.encode(prompt, null);
        } catch (RuntimeException e) {
            throw new ConfigException("--prompt: " + e.getMessage());
        }
        if (ids.length == 0) {
            throw new ConfigException("--prompt holds no word; give one or more words");
        }
        int length = intOption(o, "--length", 300, 1);
        double temperature = doubleOption(o, "--temperature", 0.8);
        int topK = intOption(o, "--top-k", 0, 0);
        long seed = intOption(o, "--seed", 1, 0);
        if (!(temperature > 0)) {
            throw new ConfigException("--temperature must be > 0, found " + temperature);
        }
        int[] gen = Sampler.sample(m.model(SequenceModel.class), m.loaded().params(), ids, length, temperature, topK,
                seed);
        StringBuilder sb = new StringBuilder(prompt);
        vocab.decode(gen, sb);
        out.println(sb);
        return Main.OK;
    }

    int evaluate(String[] args) {
        Map<String, String> o = options(args, List.of("--data", "--text", "--part", "--beam", "--alpha", "--master"),
                List.of(), EVALUATE_USAGE);
        if (o == null) {
            return Main.OK;
        }
        Part part = o.containsKey("--part") ? Part.parse(o.get("--part")) : Part.ALL;
        String data = o.getOrDefault("--data", o.get("--text"));
        if (data == null && part == Part.ALL) {
            throw new ConfigException("evaluate needs --data <path>, or --part validation|test for the held-out "
                    + "part of the model's training corpus");
        }
        TrainedModel m = TrainedModel.open(o.get(""), decodeOverrides(o));
        requireSeq2SeqForDecode(o, m);
        String separate = m.config().getString("data.validation");
        if (part == Part.VALIDATION && !separate.isEmpty()) {
            // trained on all of data.train and validated on another corpus: that corpus is the validation part
            if (data != null) {
                throw new ConfigException("--part validation: the model in " + m.dir() + " was validated on "
                        + "data.validation = " + separate + ", not on a share of its training corpus; evaluate it "
                        + "with --data " + separate);
            }
            data = separate;
            part = Part.ALL;
        } else if (data == null) {
            data = m.config().getString("data.train");
        }
        String corpus = data;
        Part p = part;
        ObjectNode n = m.task().usesSpark() || p != Part.ALL
                ? withSpark(o, "evaluate", sc -> m.task().evaluate(sc, m, corpus, p))
                : m.task().evaluate(null, m, corpus, p);
        if (o.containsKey("--part")) {
            n.put("part", o.get("--part").toLowerCase(Locale.ROOT));
            n.put("data", corpus);
        }
        out.println(n);
        return Main.OK;
    }

    /** {@code --beam} and {@code --alpha} as overrides of the model's decode.beam and decode.alpha. */
    private static List<String> decodeOverrides(Map<String, String> o) {
        List<String> set = new java.util.ArrayList<>();
        if (o.containsKey("--beam")) {
            set.add("decode.beam=" + o.get("--beam"));
        }
        if (o.containsKey("--alpha")) {
            set.add("decode.alpha=" + o.get("--alpha"));
        }
        return set;
    }

    private static void requireSeq2SeqForDecode(Map<String, String> o, TrainedModel m) {
        boolean decodes = m.loaded().spec().match(s -> false, s -> true);
        if ((o.containsKey("--beam") || o.containsKey("--alpha")) && !decodes) {
            throw new ConfigException("--beam and --alpha are decoding settings of seq2seq models; the model in "
                    + m.dir() + " is a " + m.task().name() + " model");
        }
    }

    private static <T> T withSpark(Map<String, String> o, String command, Function<JavaSparkContext, T> body) {
        SparkConf conf = new SparkConf().setAppName("spark-rnn " + command)
                .setIfMissing("spark.master", o.getOrDefault("--master", "local[*]"));
        conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", conf.get("spark.task.cpus", "1"));
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            return body.apply(sc);
        }
    }

    int inspect(String[] args) {
        Map<String, String> o = options(args, List.of(), List.of(), INSPECT_USAGE);
        if (o == null) {
            return Main.OK;
        }
        TrainedModel m = TrainedModel.open(o.get(""));
        Path dir = m.dir();
        out.println("model " + dir.toAbsolutePath());
        out.println("task: " + m.task().name() + " (data " + m.config().getString("data.train") + ")");
        out.println(m.loaded().spec().toJson(m.loaded().provenance()));
        ParamLayout layout = m.loaded().model().layout();
        out.printf(Locale.ROOT, "parameters: %,d%n", layout.size());
        for (var e : layout.entries()) {
            out.println("  " + e.name() + " " + java.util.Arrays.toString(e.shape()));
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("vocab-")) {
                    out.printf(Locale.ROOT, "%s: %,d entries%n", name, Files.readAllLines(f).size());
                } else if (name.equals(ForecastTask.NORMALIZER)) {
                    out.println(name + ": " + Files.readString(f).strip());
                }
            }
            Path eval = dir.getParent() == null ? null : dir.getParent().resolve("eval.json");
            if (eval != null && Files.exists(eval)) {
                out.println("eval.json: " + Files.readString(eval).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        return Main.OK;
    }

    /** Parses {@code <positional> [--key value]... [--flag]...}; null after printing help. */
    Map<String, String> options(String[] args, List<String> known, List<String> flags, String usage) {
        Map<String, String> o = new LinkedHashMap<>();
        String first = usage.lines().findFirst().orElse(usage).strip();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.println("usage: spark-rnn " + usage);
                return null;
            }
            if (flags.contains(a)) {
                o.put(a, "true");
            } else if (a.startsWith("--")) {
                if (!known.contains(a)) {
                    throw new ConfigException("unknown option '" + a + "'; usage: spark-rnn " + first);
                }
                if (i + 1 >= args.length) {
                    throw new ConfigException(a + " needs a value");
                }
                o.put(a, args[++i]);
            } else if (!o.containsKey("")) {
                o.put("", a);
            } else {
                throw new ConfigException("unexpected argument '" + a + "'; usage: spark-rnn " + first);
            }
        }
        if (!o.containsKey("")) {
            throw new ConfigException("missing <model-dir>; usage: spark-rnn " + first);
        }
        return o;
    }

    private static int intOption(Map<String, String> o, String key, int def, int min) {
        if (!o.containsKey(key)) {
            return def;
        }
        try {
            int v = Integer.parseInt(o.get(key));
            if (v < min) {
                throw new ConfigException(key + " must be >= " + min + ", found " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " expects a whole number, found " + o.get(key));
        }
    }

    private static double doubleOption(Map<String, String> o, String key, double def) {
        if (!o.containsKey(key)) {
            return def;
        }
        try {
            return Double.parseDouble(o.get(key));
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " expects a number, found " + o.get(key));
        }
    }
}
