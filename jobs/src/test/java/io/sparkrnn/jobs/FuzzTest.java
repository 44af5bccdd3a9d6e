package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Careless and hostile input through the command line, in-process: seeded mutations (truncation, byte flips, huge
 * numbers, wrong types, empty file, binary garbage, invalid UTF-8, an enormous line, path- and URI-like strings) of
 * a config file and --set values, of a slice of every corpus format, of every file of a trained model folder and of
 * the newest checkpoint. Every case must end in exit 0, 2 or 3 with a one-line stderr and no stack trace, and must
 * leave every output it did not itself mutate byte for byte as it was. The summary table is docs/reliability.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FuzzTest {
    @TempDir
    static Path tmp;

    private Path base;
    private Map<String, String> baseHashes;
    private final Map<String, int[]> table = new LinkedHashMap<>();
    private int caseNo;
    private final List<String> failures = new ArrayList<>();

    /** One mutation: a name for the report and the bytes it makes of the original. */
    record Mutant(String name, byte[] bytes) {
    }

    static final String[] HOSTILE = {"../../etc/passwd", "file:///etc/passwd", "http://127.0.0.1:9/x"};

    /** {@code n} seeded mutations of {@code src}; the kinds cycle so that every kind appears for n >= 11. */
    static List<Mutant> mutants(byte[] src, long seed, int n) {
        return mutants(src, seed, n, 0);
    }

    /** As {@link #mutants(byte[], long, int)}, the kinds starting at kind {@code first}. */
    static List<Mutant> mutants(byte[] src, long seed, int n, int first) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Mutant> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int kind = (i + first) % 11;
            byte[] b;
            String name;
            switch (kind) {
                case 0 -> {
                    int at = src.length == 0 ? 0 : rnd.nextInt(src.length);
                    b = Arrays.copyOf(src, at);
                    name = "truncated at " + at;
                }
                case 1 -> {
                    b = src.clone();
                    int flips = 1 + rnd.nextInt(8);
                    for (int f = 0; f < flips && b.length > 0; f++) {
                        b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                    }
                    name = flips + " byte flips";
                }
                case 2 -> {
                    b = replaceNumber(src, rnd, "99999999999999999999999999");
                    name = "huge number";
                }
                case 3 -> {
                    b = replaceNumber(src, rnd, "\"abc\"");
                    name = "wrong type";
                }
                case 4 -> {
                    b = new byte[0];
                    name = "empty";
                }
                case 5 -> {
                    b = new byte[64 + rnd.nextInt(4096)];
                    rnd.nextBytes(b);
                    name = "binary garbage";
                }
                case 6 -> {
                    b = src.clone();
                    int at = b.length == 0 ? 0 : rnd.nextInt(b.length);
                    byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE};
                    byte[] c = new byte[b.length + bad.length];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(bad, 0, c, at, bad.length);
                    System.arraycopy(b, at, c, at + bad.length, b.length - at);
                    b = c;
                    name = "invalid UTF-8 at " + at;
                }
                case 7 -> {
                    b = new byte[2 * 1024 * 1024];
                    Arrays.fill(b, (byte) 'a');
                    name = "2 MB line";
                }
                default -> {
                    String h = HOSTILE[(kind - 8) % HOSTILE.length];
                    b = h.getBytes(StandardCharsets.UTF_8);
                    name = "'" + h + "'";
                }
            }
            out.add(new Mutant(name, b));
        }
        return out;
    }

    /** {@code src} with one digit run (chosen by rnd) replaced by {@code with}; appended when there is none. */
    static byte[] replaceNumber(byte[] src, SplittableRandom rnd, String with) {
        String s = new String(src, StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[0-9]+").matcher(s);
        List<int[]> runs = new ArrayList<>();
        while (m.find()) {
            runs.add(new int[] {m.start(), m.end()});
        }
        if (runs.isEmpty()) {
            return (s + with).getBytes(StandardCharsets.ISO_8859_1);
        }
        int[] r = runs.get(rnd.nextInt(runs.size()));
        return (s.substring(0, r[0]) + with + s.substring(r[1])).getBytes(StandardCharsets.ISO_8859_1);
    }

    static String sha256(Path p) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** sha256 of every file under {@code dir}, by relative path. */
    static Map<String, String> hashes(Path dir) {
        Map<String, String> h = new TreeMap<>();
        if (!Files.exists(dir)) {
            return h;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(p -> h.put(dir.relativize(p).toString(), sha256(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return h;
    }

    static Map<String, String> only(Map<String, String> h, Function<String, Boolean> keep) {
        Map<String, String> r = new TreeMap<>();
        h.forEach((k, v) -> {
            if (keep.apply(k)) {
                r.put(k, v);
            }
        });
        return r;
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    /** Under a bad-input line, the records it skipped: "  file:line: reason", one a line. */
    static final java.util.regex.Pattern BAD_RECORD = java.util.regex.Pattern.compile("^  \\S.*:[0-9]+: .*");

    static boolean logLine(String l) {
        return l.matches("^\\d{2}:\\d{2}:\\d{2} +(TRACE|DEBUG|INFO|WARN)\\b.*") || l.isBlank();
    }

    /** Exit 0, 2 or 3; no stack trace; a failing exit explains itself in one line. Counts it in the table. */
    private void check(String kind, String what, Commands.Run r) {
        List<String> errLines = r.err().lines().filter(l -> !logLine(l)).toList();
        String err = String.join("\n", errLines);
        String ctx = kind + " / " + what + ": exit " + r.code() + "\n" + (err.length() > 1500 ? err.substring(0, 1500) : err);
        if (!(r.code() == 0 || r.code() == 2 || r.code() == 3)) {
            failures.add("exit code: " + ctx);
        } else if (errLines.stream().anyMatch(l -> l.startsWith("\tat ") || l.contains("Exception:")
                || l.contains("Caused by"))) {
            failures.add("stack trace: " + ctx);
        } else if (r.code() != 0 && (errLines.isEmpty() || !errLines.get(0).startsWith("spark-rnn: ")
                || errLines.stream().skip(1).anyMatch(l -> !(r.code() == 3 && BAD_RECORD.matcher(l).matches())))) {
            failures.add("not one line: " + ctx);
        }
        int[] row = table.computeIfAbsent(kind, k -> new int[4]);
        row[0]++;
        row[r.code() == 0 ? 1 : r.code() == 2 ? 2 : 3]++;
    }

    private void same(Map<String, String> before, Map<String, String> after, String what) {
        if (!before.equals(after)) {
            failures.add("changed outputs: " + what + "\nbefore " + before.keySet() + "\nafter  " + after.keySet());
        }
    }

    @org.junit.jupiter.api.AfterEach
    void noFailures() {
        List<String> f = new ArrayList<>(failures);
        failures.clear();
        assertTrue(f.isEmpty(), f.size() + " failing cases:\n\n" + String.join("\n\n", f));
    }

    static String tail(String s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }

    private Path caseDir() throws IOException {
        return Files.createDirectories(tmp.resolve("case-" + (++caseNo)));
    }

    @BeforeAll
    void trainOnce() throws IOException {
        base = tmp.resolve("base");
        Commands.Run r = MainTest.tiny(base, 2);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(Files.exists(base.resolve("checkpoints/ckpt-000001/MANIFEST.sha256")), "two checkpoints");
        baseHashes = hashes(base);
    }

    @AfterAll
    void summary() throws IOException {
        assertEquals(baseHashes, hashes(base), "the shared trained run must never change");
        StringBuilder t = new StringBuilder("| kind | cases | exit 0 | exit 2 | exit 3 |\n|---|---:|---:|---:|---:|\n");
        table.forEach((k, v) -> t.append("| ").append(k).append(" | ").append(v[0]).append(" | ").append(v[1])
                .append(" | ").append(v[2]).append(" | ").append(v[3]).append(" |\n"));
        System.out.println("FuzzTest summary\n" + t);
    }

    /** The tiny train settings every corpus case adds to its task's config. */
    private Commands.Run trainCorpus(String conf, Path data, Path out, String... more) {
        List<String> sets = new ArrayList<>(List.of("data.train=" + data, "model.hidden=8", "train.rounds=1",
                "train.local-steps=2", "eval.every=100", "train.batch=4"));
        sets.addAll(List.of(more));
        return MainTest.run(TaskTesting.train(conf, out, sets.toArray(new String[0])));
    }

    @Test
    @Order(1)
    void configFile() throws IOException {
        byte[] conf = Files.readAllBytes(Path.of(MainTest.conf()));
        for (Mutant m : mutants(conf, 11L, 11)) {
            Path dir = caseDir();
            Path c = Files.write(dir.resolve("char-lm.conf"), m.bytes());
            Commands.Run r = MainTest.run("train", c.toString(), "--set", "data.train=" + MainTest.sample(),
                    "--set", "spark.master=local[2]", "--set", "model.hidden=8", "--set", "train.rounds=1",
                    "--set", "train.local-steps=2", "--set", "eval.every=100", "--set", "output.dir=" + dir.resolve("out"));
            check("config file", m.name(), r);
        }
    }

    @Test
    @Order(2)
    void setValues() throws IOException {
        String[] keys = {"model.hidden", "train.lr", "train.k1", "data.validation-fraction", "output.dir", "data.train",
            "spark.master", "model.cell"};
        SplittableRandom rnd = new SplittableRandom(12L);
        String[] values = {"", "99999999999999999999999999", "-1", "1e400", "NaN", "abc", "\u0000", "\uFFFF\uD800",
            "../../etc/passwd", "file:///etc/passwd", "http://127.0.0.1:9/x", "{", "[1,2]", "\"", "0x10"};
        for (int i = 0; i < 12; i++) {
            String key = keys[i % keys.length];
            String v = values[rnd.nextInt(values.length)];
            Path dir = caseDir();
            // an output.dir stays inside the case folder: the value is a name within it, not a place in the checkout
            String value = key.equals("output.dir") ? dir.resolve("o") + v : v;
            Commands.Run r = MainTest.tiny(dir.resolve("out"), 1, "--set", "model.hidden=8", "--set", key + "=" + value);
            check("--set value", key + "=" + v, r);
        }
    }

    private byte[] slice(String relative, int bytes) throws IOException {
        byte[] all = Files.readAllBytes(TaskTesting.root().resolve(relative));
        // whole lines: a slice cut mid-line would make every case a bad last record
        int end = Math.min(all.length, bytes);
        while (end < all.length && end > 0 && all[end - 1] != '\n') {
            end--;
        }
        return Arrays.copyOf(all, end);
    }

    private void corpusCases(String kind, String conf, byte[] slice, long seed, int n, String... more)
            throws IOException {
        for (Mutant m : mutants(slice, seed, n)) {
            Path dir = caseDir();
            Path data = Files.write(dir.resolve("data"), m.bytes());
            check(kind, m.name(), trainCorpus(conf, data, dir.resolve("out"), more));
        }
    }

    @Test
    @Order(3)
    void charLmText() throws IOException {
        corpusCases("corpus: char LM text", "conf/char-lm.conf", slice("data/samples/moby-dick/moby-dick.txt", 40_000),
                21L, 11);
    }

    @Test
    @Order(4)
    void brownTagged() throws IOException {
        corpusCases("corpus: Brown tagged", "conf/brown-tagger.conf", slice("data/samples/brown/ca01", 30_000), 22L, 11,
                "model.embedding=8");
    }

    @Test
    @Order(5)
    void cmudictPairs() throws IOException {
        corpusCases("corpus: CMUdict pairs", "conf/cmudict-g2p.conf",
                slice("data/samples/cmudict/cmudict-sample.txt", 20_000), 23L, 11, "model.embedding=8");
    }

    @Test
    @Order(6)
    void birthsCsv() throws IOException {
        corpusCases("corpus: births CSV", "conf/births-forecast.conf",
                slice("data/samples/us-births/us-births.csv", 40_000), 24L, 11);
    }

    @Test
    @Order(7)
    void classificationTsv() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(MainTest.sample())).stream().filter(l -> !l.isBlank())
                .limit(400).toList();
        StringBuilder tsv = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            tsv.append(i % 3 == 0 ? "spam" : "ham").append('\t').append(lines.get(i)).append('\n');
        }
        corpusCases("corpus: classification TSV", "conf/spam-classifier.conf",
                tsv.toString().getBytes(StandardCharsets.UTF_8), 25L, 11, "data.format=tsv", "data.max-length=60",
                "train.k1=60", "train.k2=60");
    }

    @Test
    @Order(8)
    void modelFiles() throws IOException {
        String[] files = {"model.json", "weights.safetensors", "config.conf", "vocab-chars.txt", "MANIFEST.sha256"};
        long seed = 31L;
        for (String f : files) {
            byte[] orig = Files.readAllBytes(base.resolve("model").resolve(f));
            List<Mutant> ms = mutants(orig, seed++, 11);
            for (int i = 0; i < ms.size(); i++) {
                Mutant m = ms.get(i);
                // every other case re-signs MANIFEST.sha256, so that the mutated file reaches its parser
                boolean resign = i % 2 == 1 && !f.equals("MANIFEST.sha256");
                for (String cmd : new String[] {"inspect", "evaluate", "predict"}) {
                    Path dir = caseDir().resolve("run");
                    copy(base, dir);
                    Files.write(dir.resolve("model").resolve(f), m.bytes());
                    String mutated = "model/" + f;
                    if (resign) {
                        resign(dir.resolve("model"), f);
                    }
                    Map<String, String> before = only(hashes(dir), k -> !k.equals(mutated));
                    Commands.Run r = switch (cmd) {
                        case "inspect" -> MainTest.run("inspect", dir.toString());
                        case "evaluate" -> MainTest.run("evaluate", dir.toString(), "--data", MainTest.sample(),
                                "--master", "local[2]");
                        default -> MainTest.run("predict", dir.toString(), "--prompt", "Call me ", "--length", "10");
                    };
                    check("model file, " + cmd, f + ": " + m.name() + (resign ? " (re-signed)" : ""), r);
                    same(before, only(hashes(dir), k -> !k.equals(mutated)), cmd + ", " + f + ": " + m.name());
                }
            }
        }
    }

    /** MANIFEST.sha256 of {@code model} with the hash of {@code file} replaced by the file's present one. */
    static void resign(Path model, String file) throws IOException {
        Path manifest = model.resolve("MANIFEST.sha256");
        String h = sha256(model.resolve(file));
        List<String> lines = Files.readAllLines(manifest).stream()
                .map(l -> l.endsWith("  " + file) ? h + "  " + file : l).toList();
        Files.write(manifest, lines);
    }

    @Test
    @Order(9)
    void checkpointFiles() throws IOException {
        String[] files = {"model.json", "weights.safetensors", "optimizer.safetensors", "state.json",
            "MANIFEST.sha256", "LATEST"};
        long seed = 41L;
        int first = 0;
        for (String f : files) {
            String mutated = f.equals("LATEST") ? "checkpoints/LATEST" : "checkpoints/ckpt-000002/" + f;
            byte[] orig = Files.readAllBytes(base.resolve(mutated));
            // 4 kinds a file, the next file going on with the next kinds: every kind meets some file
            List<Mutant> ms = mutants(orig, seed++, 4, first);
            first += 4;
            for (Mutant m : ms) {
                Path dir = caseDir().resolve("run");
                copy(base, dir);
                Files.write(dir.resolve(mutated), m.bytes());
                Map<String, String> earlier = only(hashes(dir), k -> k.startsWith("checkpoints/ckpt-000001/"));
                Map<String, String> model = only(hashes(dir), k -> k.startsWith("model/"));
                Commands.Run r = MainTest.tiny(dir, 3, "--set", "checkpoint.keep-last=10");
                check("checkpoint file, train", f + ": " + m.name(), r);
                same(earlier, only(hashes(dir), k -> k.startsWith("checkpoints/ckpt-000001/")),
                        "earlier checkpoint, " + f + ": " + m.name());
                if (r.code() != 0) {
                    same(model, only(hashes(dir), k -> k.startsWith("model/")), "model, " + f + ": " + m.name());
                }
            }
        }
    }

    /** The inputs that once ended in exit 1 with a stack trace, pinned down with the line they now give. */
    @Test
    @Order(10)
    void pinnedRegressions() throws IOException {
        Path dir = caseDir();
        Path c = Files.writeString(dir.resolve("bad.conf"), "../../etc/passwd");
        TaskTesting.configError(MainTest.run("train", c.toString()), "bad.conf: 1: path has a leading");
        Files.writeString(c, "task = lm\nmodel.hidden = ${nope}\n");
        TaskTesting.configError(MainTest.run("train", c.toString()), "bad.conf");
        TaskTesting.configError(MainTest.tiny(dir.resolve("out"), 1, "--set", "spark.master=NaN"),
                "spark.master: Could not parse Master URL: 'NaN'");
        assertTrue(Files.notExists(dir.resolve("out")), "a refused run leaves no output.dir");
        TaskTesting.configError(MainTest.run("evaluate", base.toString(), "--part", "validation",
                "--master", "../../etc/passwd"), "--master: Could not parse Master URL");

        Path run = dir.resolve("run");
        copy(base, run);
        byte[] manifest = Files.readAllBytes(run.resolve("model/MANIFEST.sha256"));
        manifest[0] = (byte) 0xFF;
        Files.write(run.resolve("model/MANIFEST.sha256"), manifest);
        Commands.Run r = MainTest.run("inspect", run.toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("MANIFEST.sha256 is not UTF-8 text"), r.err());

        copy(base, dir.resolve("run2"));
        Path model = dir.resolve("run2/model");
        Files.write(model.resolve("vocab-chars.txt"), new byte[] {'a', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        resign(model, "vocab-chars.txt");
        r = MainTest.run("inspect", dir.resolve("run2").toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("vocab-chars.txt is not UTF-8 text"), r.err());
    }
}
