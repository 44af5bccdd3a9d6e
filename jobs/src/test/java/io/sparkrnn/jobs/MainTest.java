package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.jobs.config.ConfigKey;
import io.sparkrnn.jobs.config.ConfigSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.sparkrnn.jobs.Commands.Run;
import org.nd4j.linalg.api.buffer.DataType;

class MainTest {
    @TempDir
    Path tmp;

    static Run run(String... args) {
        return Commands.run(args);
    }

    static String conf() {
        Path p = Paths.get("").toAbsolutePath();
        while (!Files.exists(p.resolve("conf/char-lm.conf"))) {
            p = p.getParent();
        }
        return p.resolve("conf/char-lm.conf").toString();
    }

    static String sample() {
        return Paths.get(conf()).getParent().getParent().resolve("data/samples/moby-dick/moby-dick.txt").toString();
    }

    private static void assertConfigError(Run r, String... parts) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        for (String p : parts) {
            assertTrue(r.err().contains(p), "expected '" + p + "' in: " + r.err());
        }
    }

    @Test
    void unknownKeyNamesTheNearestKnownKey() {
        assertConfigError(run("train", conf(), "--set", "train.learning-rate=0.1"), "unknown key 'train.learning-rate'",
                "did you mean");
        assertConfigError(run("train", conf(), "--set", "model.hiden=12"), "did you mean 'model.hidden'");
        assertConfigError(run("train", conf(), "--set=model.hiden=12"), "unknown key 'model.hiden'",
                "did you mean 'model.hidden'");
    }

    @Test
    void wrongTypesAndRangesAreRefusedBeforeSparkStarts() {
        assertConfigError(run("train", conf(), "--set", "model.hidden=big"), "model.hidden expects a whole number",
                "big");
        assertConfigError(run("train", conf(), "--set", "model.layers=0"), "model.layers must be >= 1", "found 0");
        assertConfigError(run("train", conf(), "--set", "model.cell=transformer"), "model.cell must be one of",
                "lstm | gru | rnn");
        assertConfigError(run("train", conf(), "--set", "train.k2=100"), "train.k2 must be <= train.k1 = 64");
        assertConfigError(run("train", conf(), "--set", "train.lr=0"), "train.lr must be > 0");
    }

    @Test
    void missingFilesAreConfigErrors() {
        assertConfigError(run("train", tmp.resolve("nope.conf").toString()), "nope.conf does not exist");
        assertConfigError(run("train", conf(), "--set", "data.train=" + tmp.resolve("missing.txt")), "data.train",
                "missing.txt");
        assertConfigError(run("frobnicate"), "unknown command 'frobnicate'");
    }

    /** The benchmarks and their DL4J peers are not in the runnable jar: bench is refused, saying where it runs. */
    @Test
    void benchIsRefusedWithWhereItRuns() {
        assertConfigError(run("bench", "engine"), "bench is not part of this jar", "bin/spark-rnn bench");
    }

    @Test
    void badCorpusIsBadInput() throws Exception {
        Path bad = tmp.resolve("bad.txt");
        Files.write(bad, new byte[] {'a', 'b', '\n', (byte) 0xC3, (byte) 0x28, 'c'});
        Run r = run("train", conf(), "--set", "data.train=" + bad, "--set", "output.dir=" + tmp.resolve("o1"));
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("bad.txt:2: invalid UTF-8"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void helpListsEveryKey() {
        Run r = run("train", "--help");
        assertEquals(0, r.code());
        for (ConfigKey k : ConfigSchema.KEYS) {
            assertTrue(r.out().contains(k.path()), k.path());
        }
        ConfigKey lr = ConfigSchema.byPath().get("train.lr");
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  train.lr ") && l.contains(" " + lr.defaultValue() + " ")
                && l.contains(lr.doc()) && l.endsWith("[" + lr.range() + "]")), r.out());
    }

    /** Every command's --help: exit 0, its usage line, its options and an example, on stdout. */
    @Test
    void everyCommandHasHelpWithUsageAndExample() {
        Map<String, String> usage = Map.of(
                "train", "usage: spark-rnn train <config.conf> [--set key=value]... [--fresh]",
                "predict", "usage: spark-rnn predict <model-dir> --data <path> --output <dir> [--format tsv|parquet]",
                "evaluate", "usage: spark-rnn evaluate <model-dir> (--data <path> | --part validation|test)",
                "inspect", "usage: spark-rnn inspect <model-dir>",
                "export", "usage: spark-rnn export <model-dir> --format onnx|pytorch --out <path> [--overwrite]",
                "registry", "usage: spark-rnn registry list <root> [<name>] [--json]",
                "refresh", "usage: spark-rnn refresh <config.conf> --registry <root> --name <name>");
        for (Map.Entry<String, String> c : usage.entrySet()) {
            for (String help : new String[] {"--help", "-h"}) {
                Run r = run(c.getKey(), help);
                assertEquals(0, r.code(), c.getKey() + " " + help + ": " + r.err());
                assertTrue(r.out().startsWith(c.getValue()), r.out());
                assertTrue(r.out().contains("  -h, --help"), r.out());
                assertTrue(r.out().contains("\n  bin/spark-rnn " + c.getKey() + " "), "an example: " + r.out());
                assertEquals("", r.err());
            }
            assertEquals(run(c.getKey(), "--help").out(), run("help", c.getKey()).out());
        }
        Run top = run("--help");
        assertEquals(0, top.code());
        assertTrue(top.out().contains("usage: spark-rnn <command> [options]")
                && top.out().contains("  bin/spark-rnn train conf/char-lm.conf\n")
                && top.out().contains("exit codes: 0 success, 2 config error, 3 bad input data, 4 refresh: trained "
                        + "but not promoted, 1 failed job"), top.out());
        for (String command : usage.keySet()) {
            assertTrue(top.out().contains("\n  " + command + " <"), command + " in: " + top.out());
        }
        assertEquals(top.out(), run("help").out());
        Run none = run();
        assertEquals(2, none.code());
        assertEquals(top.out(), none.out());
    }

    /** An option no command has: exit 2, one line naming it and the nearest option, before any work. */
    @Test
    void unknownOptionsAreOneLineConfigErrors() {
        assertConfigError(run("train", conf(), "--bogus"), "spark-rnn: config error: unknown option '--bogus'",
                "(see spark-rnn train --help)");
        assertConfigError(run("train", conf(), "--set", "train.rounds=1", "--fersh"), "unknown option '--fersh'; "
                + "did you mean '--fresh'?");
        assertConfigError(run("evaluate", tmp.toString(), "--dat=x"), "unknown option '--dat'; did you mean '--data'?");
        assertConfigError(run("inspect", tmp.toString(), "-x"), "unknown option '-x'", "spark-rnn inspect --help");
        assertConfigError(run("--bogus"), "unknown option '--bogus'", "(see spark-rnn --help)");
        assertConfigError(run("train", conf(), "second.conf"), "unexpected argument 'second.conf'");
    }

    /** A value of the wrong type is refused while parsing: exit 2, naming the option, what it takes and the value. */
    @Test
    void valuesOfTheWrongTypeNameTheOptionAndTheValue() {
        assertConfigError(run("predict", tmp.toString(), "--length", "ten"),
                "--length expects a whole number, found 'ten'");
        assertConfigError(run("predict", tmp.toString(), "--temperature=warm"),
                "--temperature expects a number, found 'warm'");
        assertConfigError(run("evaluate", tmp.toString(), "--beam", "2.5"), "--beam expects a whole number, found '2.5'");
        assertConfigError(run("predict", tmp.toString(), "--format", "csv", "--data", "x", "--output", "y"),
                "--format expects tsv or parquet, found 'csv'");
        assertConfigError(run("evaluate", tmp.toString(), "--part", "tset"),
                "--part expects all, validation or test, found 'tset'");
    }

    /** A missing argument or option value: exit 2, one line saying what is needed. */
    @Test
    void missingArgumentsAreNamed() {
        assertConfigError(run("predict"), "predict needs <model-dir>", "(see spark-rnn predict --help)");
        assertConfigError(run("inspect"), "inspect needs <model-dir>");
        assertConfigError(run("export", tmp.toString()), "export needs --format onnx|pytorch and --out <path>");
        assertConfigError(run("train", conf(), "--set"), "--set needs key=value");
        assertConfigError(run("predict", tmp.toString(), "--prompt"), "--prompt needs TEXT");
        assertConfigError(run("evaluate", tmp.toString()), "evaluate needs --data <path>, or --part validation|test");
    }

    /** A tiny end-to-end run on the real sample in local[2]: trains, validates and writes a loadable model. */
    @Test
    void trainsOnTheMobyDickSampleAndWritesTheModel() throws Exception {
        Path outDir = tmp.resolve("run");
        Run r = run("train", conf(), "--set", "data.train=" + sample(), "--set", "spark.master=local[2]",
                "--set", "model.hidden=24",
                "--set", "train.rounds=3", "--set", "train.local-steps=15", "--set", "eval.every=3",
                "--set", "train.lr=0.01", "--set", "train.inner-state=keep",
                "--set", "output.dir=" + outDir);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("round 3/3"), r.out());
        List<String> metrics = Files.readAllLines(outDir.resolve("metrics.jsonl"));
        assertEquals(3, metrics.size());
        assertTrue(metrics.get(2).contains("\"valid_bits_per_char\":"), metrics.get(2));
        String eval = Files.readString(outDir.resolve("eval.json"));
        double bpc = Double.parseDouble(eval.replaceAll(".*\"valid_bits_per_char\":([0-9.]+).*", "$1").strip());
        // 82 distinct characters: a uniform guess costs log2(82) = 6.36 bits; 12 local steps must beat it clearly
        assertTrue(bpc < 5.5, "validation bits per char " + bpc);
        var loaded = ModelFiles.load(outDir.resolve("model"), DataType.FLOAT);
        assertEquals(24, loaded.model().as(SequenceModel.class).spec().hiddenSize());
        assertEquals(82, Files.readAllLines(outDir.resolve("model/vocab-chars.txt")).size());

        // the trained model generates, evaluates and describes itself
        Run gen1 = run("predict", outDir.toString(), "--prompt", "Call me ", "--length", "40", "--seed", "3");
        Run gen2 = run("predict", outDir.toString(), "--prompt", "Call me ", "--length", "40", "--seed", "3");
        assertEquals(0, gen1.code(), gen1.err());
        assertEquals(gen1.out(), gen2.out(), "same seed, same text");
        assertEquals("Call me ".length() + 40, gen1.out().strip().codePointCount(0, gen1.out().strip().length()),
                gen1.out());
        Run ev = run("evaluate", outDir.toString(), "--text", sample());
        assertEquals(0, ev.code(), ev.err());
        double evalBpc = Double.parseDouble(ev.out().replaceAll("(?s).*\"bits_per_char\":([0-9.]+).*", "$1").strip());
        assertTrue(evalBpc > 1 && evalBpc < 5.5, ev.out());
        Run ins = run("inspect", outDir.toString());
        assertTrue(ins.out().contains("rnn.weight_hh_l0 [96, 24]") && ins.out().contains("eval.json"), ins.out());
        assertConfigError(run("predict", outDir.toString(), "--prompt", "\u65e5"), "is not in the model's vocabulary");
        // a damaged copy of the model: the manifest names the file; without a manifest the size check does
        Path copy = tmp.resolve("damaged-copy");
        Files.createDirectories(copy);
        try (var files = Files.list(outDir.resolve("model"))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        List<String> chars = Files.readAllLines(copy.resolve("vocab-chars.txt"));
        Files.write(copy.resolve("vocab-chars.txt"), chars.subList(0, chars.size() / 2));
        Run damaged = run("predict", copy.toString(), "--prompt", "C");
        assertEquals(3, damaged.code(), damaged.err());
        assertTrue(damaged.err().contains("vocab-chars.txt does not match MANIFEST.sha256"), damaged.err());
        Files.delete(copy.resolve(ModelManifest.NAME));
        for (List<String> cut : List.of(chars.subList(0, chars.size() / 2), List.<String>of())) {
            Files.write(copy.resolve("vocab-chars.txt"), cut);
            for (Run cmd : List.of(run("predict", copy.toString(), "--prompt", "C"),
                    run("evaluate", copy.toString(), "--data", sample()))) {
                assertEquals(3, cmd.code(), cmd.err());
                assertTrue(cmd.err().contains("vocab-chars.txt holds " + cut.size() + " tokens, but the model's "
                        + "embedding has 82 rows"), cmd.err());
            }
        }

        // a language model has no corpus to predict: --data and --output are refused, not ignored
        Path predictions = tmp.resolve("lm-predictions");
        assertConfigError(run("predict", outDir.toString(), "--data", sample(), "--output", predictions.toString()),
                "a language model generates text from --prompt", "--data, --output");
        assertTrue(!Files.exists(predictions));

        // a second run with other settings into the same folder is refused rather than overwriting the model
        Run again = run("train", conf(), "--set", "data.train=" + sample(), "--set", "output.dir=" + outDir);
        assertConfigError(again, "holds checkpoints of a different run", "model.hidden: checkpoint 24, now 128");
        Files.walk(outDir.resolve("checkpoints")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
            try {
                Files.delete(p);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Run noCheckpoints = run("train", conf(), "--set", "data.train=" + sample(), "--set", "output.dir=" + outDir);
        assertConfigError(noCheckpoints, "already holds a trained model");
    }

    /** A 16-unit char LM on the Moby Dick sample in local[2], 3 local steps a round, a checkpoint every round. */
    static Run tiny(Path outDir, int rounds, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", conf(), "--set", "data.train=" + sample(),
                "--set", "spark.master=local[2]", "--set", "model.hidden=16", "--set", "train.local-steps=3",
                "--set", "train.rounds=" + rounds, "--set", "eval.every=100", "--set", "checkpoint.every-rounds=1",
                "--set", "train.outer=nesterov", "--set", "train.outer-lr=0.8", "--set", "train.outer-momentum=0.5",
                "--set", "output.dir=" + outDir));
        args.addAll(List.of(more));
        return run(args.toArray(new String[0]));
    }

    /** An output.dir whose name needs escaping in a URI holds the model and the checkpoints alike. */
    @Test
    void anOutputDirWithQuotesAndPercentsHoldsEverything() throws Exception {
        Path odd = tmp.resolve("odd \"name\" 100%22");
        Run r = tiny(odd, 1);
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(odd.resolve("model/weights.safetensors")));
        assertTrue(Files.exists(odd.resolve("checkpoints/LATEST")), "checkpoints not beside the model");
        try (var siblings = Files.list(tmp)) {
            assertEquals(List.of(odd.getFileName().toString()), siblings.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("odd")).toList());
        }
    }

    /** Stopping after 2 rounds and running the same command for 4 gives the 4-round run's model, bit for bit. */
    @Test
    void resumedRunEqualsUninterruptedRun() throws Exception {
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("parts");
        assertEquals(0, tiny(whole, 4).code());
        Run first = tiny(parts, 2);
        assertEquals(0, first.code(), first.err());
        Run second = tiny(parts, 4);
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("resuming from ckpt-000002 (round 2 of 4)"), second.out());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(whole.resolve("model/weights.safetensors")),
                Files.readAllBytes(parts.resolve("model/weights.safetensors"))), "resumed weights differ");
        assertEquals(4, Files.readAllLines(parts.resolve("metrics.jsonl")).size());

        // fewer rounds than the checkpoints hold: refused before anything is written, config.conf untouched
        String config = Files.readString(parts.resolve("model/config.conf"));
        assertConfigError(tiny(parts, 2), "holds a checkpoint of round 4, past train.rounds = 2");
        assertEquals(config, Files.readString(parts.resolve("model/config.conf")));

        // another model shape is refused, naming the differing keys; --fresh starts over
        Run changed = tiny(parts, 5, "--set", "model.hidden=20");
        assertConfigError(changed, "holds checkpoints of a different run", "model.hidden: checkpoint 16, now 20", "--fresh");
        // --fresh over a finished model: refused unless output.overwrite, the model untouched
        byte[] model = Files.readAllBytes(parts.resolve("model/weights.safetensors"));
        assertConfigError(tiny(parts, 1, "--fresh"), "already holds a trained model", "output.overwrite");
        assertTrue(java.util.Arrays.equals(model, Files.readAllBytes(parts.resolve("model/weights.safetensors"))));
        // data that cannot be read into a new output.dir: exit 3, and no empty folder left behind
        Path empty = Files.createFile(tmp.resolve("empty.txt"));
        Run unreadable = tiny(tmp.resolve("never"), 1, "--set", "data.train=" + empty);
        assertEquals(3, unreadable.code(), unreadable.out() + unreadable.err());
        assertTrue(!Files.exists(tmp.resolve("never")), "an empty output.dir was left behind");
        // --fresh with data that cannot be read: exit 3, and the checkpoints of the last run are all still there
        List<String> before = checkpointFiles(parts);
        Run bad = tiny(parts, 1, "--fresh", "--set", "output.overwrite=true", "--set", "data.train=" + empty);
        assertEquals(3, bad.code(), bad.out() + bad.err());
        assertEquals(before, checkpointFiles(parts));
        Run fresh = tiny(parts, 1, "--fresh", "--set", "output.overwrite=true");
        assertEquals(0, fresh.code(), fresh.err());
        assertTrue(!fresh.out().contains("resuming"), fresh.out());
    }

    /** Every file under the folder's checkpoints, with its size. */
    private static List<String> checkpointFiles(Path out) throws java.io.IOException {
        try (var walk = Files.walk(out.resolve("checkpoints"))) {
            return walk.filter(Files::isRegularFile).map(p -> {
                try {
                    return out.relativize(p) + " " + Files.size(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        }
    }

    /**
     * A checkpoint written before a config key existed records no value for it: it resumes while the run keeps the
     * key's default, and is refused, naming the key, when the run sets another value.
     */
    @Test
    void checkpointWithoutANewerKeyResumesAtThatKeysDefault() throws Exception {
        Path dir = tmp.resolve("older");
        assertEquals(0, tiny(dir, 2).code());
        Path ckpt = dir.resolve("checkpoints/ckpt-000002");
        Path state = ckpt.resolve("state.json");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(state.toFile());
        assertTrue(root.with("config").remove("data.text-column") != null, "the checkpoint records data.text-column");
        Files.write(state, json.writeValueAsBytes(root));
        // keep the manifest true, as an older version's checkpoint would be
        Path manifest = ckpt.resolve("MANIFEST.sha256");
        String sha = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(state)));
        List<String> lines = new java.util.ArrayList<>();
        for (String l : Files.readAllLines(manifest)) {
            lines.add(l.endsWith("  state.json") ? sha + "  state.json" : l);
        }
        Files.write(manifest, lines);
        // Hadoop's local file system keeps a checksum beside each file: the edited files get none
        Files.deleteIfExists(ckpt.resolve(".state.json.crc"));
        Files.deleteIfExists(ckpt.resolve(".MANIFEST.sha256.crc"));

        Run other = tiny(dir, 3, "--set", "data.text-column=body");
        assertConfigError(other, "holds checkpoints of a different run", "data.text-column: checkpoint (unset), now body");
        Run resumed = tiny(dir, 3);
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming from ckpt-000002 (round 2 of 3)"), resumed.out());
    }
}
