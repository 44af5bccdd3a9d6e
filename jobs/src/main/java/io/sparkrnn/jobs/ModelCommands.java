package io.sparkrnn.jobs;

import io.sparkrnn.driver.corpus.CharCorpus;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.model.ModelSpecJson;
import io.sparkrnn.engine.model.Sampler;
import io.sparkrnn.engine.train.StreamLoss;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Commands on a trained model folder ({@code <output.dir>/model}): {@code predict} (generate text from a
 * language model), {@code evaluate} (bits per character on a text) and {@code inspect} (spec and metrics).
 */
final class ModelCommands {
    private final PrintStream out;

    ModelCommands(PrintStream out) {
        this.out = out;
    }

    int predict(String[] args) {
        Map<String, String> o = options(args, List.of("--prompt", "--length", "--temperature", "--top-k", "--seed"),
                "predict <model-dir> [--prompt TEXT] [--length N] [--temperature T] [--top-k K] [--seed S]");
        if (o == null) {
            return Main.OK;
        }
        Path dir = modelDir(o.get(""));
        ModelFiles.Loaded m = load(dir);
        List<Integer> vocab = CharCorpus.readVocabulary(dir.resolve("vocab-chars.txt"));
        String prompt = o.getOrDefault("--prompt", "\n");
        if (prompt.isEmpty()) {
            throw new ConfigException("--prompt must not be empty");
        }
        int[] ids;
        try {
            ids = CharCorpus.encode(prompt, vocab, null);
        } catch (RuntimeException e) {
            throw new ConfigException("--prompt: " + e.getMessage());
        }
        int length = intOption(o, "--length", 300, 1);
        double temperature = doubleOption(o, "--temperature", 0.8);
        int topK = intOption(o, "--top-k", 0, 0);
        long seed = intOption(o, "--seed", 1, 0);
        if (!(temperature > 0)) {
            throw new ConfigException("--temperature must be > 0, found " + temperature);
        }
        int[] gen = Sampler.sample(m.model(), m.params(), ids, length, temperature, topK, seed);
        StringBuilder sb = new StringBuilder(prompt);
        for (int id : gen) {
            sb.appendCodePoint(vocab.get(id));
        }
        out.println(sb);
        return Main.OK;
    }

    int evaluate(String[] args) {
        Map<String, String> o = options(args, List.of("--text"), "evaluate <model-dir> --text <file.txt>");
        if (o == null) {
            return Main.OK;
        }
        Path dir = modelDir(o.get(""));
        if (!o.containsKey("--text")) {
            throw new ConfigException("evaluate needs --text <file.txt>");
        }
        ModelFiles.Loaded m = load(dir);
        List<Integer> vocab = CharCorpus.readVocabulary(dir.resolve("vocab-chars.txt"));
        int[] unknown = new int[1];
        int[] ids = CharCorpus.encode(CharCorpus.readText(Paths.get(o.get("--text"))), vocab, unknown);
        int lanes = Math.max(1, Math.min(16, (ids.length - 1) / 129));
        if (ids.length < lanes * 128 + 1) {
            throw new InputException(o.get("--text") + ": too short to evaluate (" + ids.length
                    + " known characters, need at least 129)");
        }
        double bpc = StreamLoss.bitsPerToken(m.model(), m.params(), ids, lanes, 128);
        out.printf(Locale.ROOT, "{\"bits_per_char\":%.6f,\"perplexity\":%.6f,\"characters\":%d,"
                + "\"unknown_characters_skipped\":%d}%n", bpc, Math.pow(2, bpc), ids.length, unknown[0]);
        return Main.OK;
    }

    int inspect(String[] args) {
        Map<String, String> o = options(args, List.of(), "inspect <model-dir>");
        if (o == null) {
            return Main.OK;
        }
        Path dir = modelDir(o.get(""));
        ModelFiles.Loaded m = load(dir);
        out.println("model " + dir.toAbsolutePath());
        out.println(ModelSpecJson.toJson(m.spec(), m.provenance()));
        out.printf(Locale.ROOT, "parameters: %,d%n", m.model().layout().size());
        for (var e : m.model().layout().entries()) {
            out.println("  " + e.name() + " " + java.util.Arrays.toString(e.shape()));
        }
        Path eval = dir.getParent() == null ? null : dir.getParent().resolve("eval.json");
        if (eval != null && Files.exists(eval)) {
            try {
                out.println("eval.json: " + Files.readString(eval).strip());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + eval, e);
            }
        }
        return Main.OK;
    }

    /** Parses {@code <positional> [--key value]...}; null after printing help. */
    private Map<String, String> options(String[] args, List<String> known, String usage) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.println("usage: spark-rnn " + usage);
                return null;
            }
            if (a.startsWith("--")) {
                if (!known.contains(a)) {
                    throw new ConfigException("unknown option '" + a + "'; usage: spark-rnn " + usage);
                }
                if (i + 1 >= args.length) {
                    throw new ConfigException(a + " needs a value");
                }
                o.put(a, args[++i]);
            } else if (!o.containsKey("")) {
                o.put("", a);
            } else {
                throw new ConfigException("unexpected argument '" + a + "'; usage: spark-rnn " + usage);
            }
        }
        if (!o.containsKey("")) {
            throw new ConfigException("missing <model-dir>; usage: spark-rnn " + usage);
        }
        return o;
    }

    /** Accepts the run's output.dir or its model/ folder. */
    private static Path modelDir(String arg) {
        Path p = Paths.get(arg);
        if (Files.exists(p.resolve("model").resolve(ModelFiles.MODEL_JSON))) {
            p = p.resolve("model");
        }
        if (!Files.exists(p.resolve(ModelFiles.MODEL_JSON))) {
            throw new ConfigException("no model in " + p + " (expected " + ModelFiles.MODEL_JSON + ")");
        }
        return p;
    }

    private static ModelFiles.Loaded load(Path dir) {
        try {
            return ModelFiles.load(dir, DataType.FLOAT);
        } catch (IOException e) {
            throw new InputException("cannot load the model in " + dir + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
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
