package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.io.SafeTensors;
import io.sparkrnn.engine.io.SafeTensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code train --warm-start} end to end in local[2]: a warm start of R rounds continues an R-round run to the
 * 2R-round run's weights bit for bit; the parent's vocabulary grows or counts what it lacks; contradicting
 * architecture keys and damaged parents are refused before anything is written.
 */
class WarmStartTest {
    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    /** Moby Dick without z, q, digits: the parent's text, whose vocabulary lacks those characters. */
    private static Path textA;
    /** The whole sample: the "new data" of the vocabulary tests. */
    private static Path textB;
    /** A char LM trained 2 rounds on text A (reset, nesterov outer step). */
    private static Path parent;

    @BeforeAll
    static void trainParent() throws Exception {
        textB = Path.of(TaskTesting.path("data/samples/moby-dick/moby-dick.txt"));
        textA = shared.resolve("a.txt");
        Files.writeString(textA, Files.readString(textB).replaceAll("[zZqQ0-9]", ""));
        parent = shared.resolve("parent");
        TaskTesting.ok(lm(parent, 2, "--set", "data.train=" + textA));
    }

    /** {@link MainTest#tiny} on text A (unless {@code more} sets data.train) with a checkpoint only at the end. */
    private static String[] lm(Path out, int rounds, String... more) {
        List<String> a = new ArrayList<>(List.of("train", MainTest.conf(), "--set", "data.train=" + textA,
                "--set", "spark.master=local[2]",
                "--set", "model.hidden=16", "--set", "train.local-steps=3", "--set", "train.rounds=" + rounds,
                "--set", "eval.every=100", "--set", "train.outer=nesterov", "--set", "train.outer-lr=0.8",
                "--set", "train.outer-momentum=0.5", "--set", "output.dir=" + out));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    private static byte[] bytes(Path p) throws Exception {
        return Files.readAllBytes(p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"reset", "average"})
    void aWarmStartOfRRoundsEndsWhereTheRunOf2RRoundsEnds(String policy) throws Exception {
        String inner = "train.inner-state=" + policy;
        String data = "data.train=" + textA;
        Path whole = tmp.resolve("whole");
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        TaskTesting.ok(lm(whole, 4, "--set", data, "--set", inner));
        TaskTesting.ok(lm(first, 2, "--set", data, "--set", inner));
        Commands.Run warm = TaskTesting.ok(lm(second, 2, "--set", data, "--set", inner, "--warm-start",
                first.toString()));
        assertTrue(warm.out().contains("warm start from") && warm.out().contains(": round 2"), warm.out());
        assertTrue(warm.out().contains("round 4/4") && !warm.out().contains("round 1/"), warm.out());
        assertTrue(warm.out().contains(policy.equals("reset") ? "inner optimizer state is reset every round"
                : "inner optimizer state continues"), warm.out());
        assertTrue(warm.out().contains("outer momentum continues; ") && warm.out().contains("recurrent state of each "
                + "partition continues"), warm.out());
        assertArrayEquals(bytes(whole.resolve("model/weights.safetensors")),
                bytes(second.resolve("model/weights.safetensors")), "the warm start's weights differ");
        assertArrayEquals(bytes(whole.resolve("model/training-state.safetensors")),
                bytes(second.resolve("model/training-state.safetensors")), "the training states differ");
        assertEquals(4, TaskTesting.jsonFile(second.resolve("eval.json")).get("rounds").asLong());
        assertTrue(Files.readString(second.resolve("model/config.conf")).contains("train.rounds = 4"));

        JsonNode p = TaskTesting.jsonFile(second.resolve("model/parent.json"));
        assertEquals(first.resolve("model").toAbsolutePath().toString(), p.get("path").asText());
        assertEquals(2, p.get("round").asLong());
        String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(bytes(first.resolve("model/weights.safetensors"))));
        assertEquals(sha, p.get("weightsSha256").asText());
        // the model folder, training state and parent.json included, passes its manifest
        assertTrue(ModelManifest.verify(Location.of(second.resolve("model").toString(), "test")));
    }

    @Test
    void aTaggerWarmStartContinuesItsKeptAndAveragedState() throws Exception {
        String corpus = TaskTesting.path("data/samples/brown") + "/c[a-c][0-9][0-9]";
        for (String policy : List.of("average", "keep")) {
            String[] sets = {"data.train=" + corpus, "model.hidden=16", "model.embedding=16", "train.local-steps=5",
                "eval.every=100", "train.inner-state=" + policy};
            Path whole = tmp.resolve("tag-whole-" + policy);
            Path first = tmp.resolve("tag-first-" + policy);
            Path second = tmp.resolve("tag-second-" + policy);
            TaskTesting.ok(with(TaskTesting.train("conf/brown-tagger.conf", whole, sets), "train.rounds=4"));
            TaskTesting.ok(with(TaskTesting.train("conf/brown-tagger.conf", first, sets), "train.rounds=2"));
            List<String> warm = new ArrayList<>(List.of(with(TaskTesting.train("conf/brown-tagger.conf", second,
                    sets), "train.rounds=2")));
            warm.addAll(List.of("--warm-start", first.resolve("model").toString()));
            TaskTesting.ok(warm.toArray(new String[0]));
            assertArrayEquals(bytes(whole.resolve("model/weights.safetensors")),
                    bytes(second.resolve("model/weights.safetensors")), policy + ": the warm start's weights differ");
        }
    }

    private static String[] with(String[] args, String set) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--set", set));
        return a.toArray(new String[0]);
    }

    /** The distinct characters of a text, in order of first appearance. */
    private static Set<Integer> chars(Path p) throws Exception {
        Set<Integer> s = new LinkedHashSet<>();
        Files.readString(p).codePoints().forEach(s::add);
        return s;
    }

    @Test
    void extendAppendsTheNewCharactersAfterTheParentsIds() throws Exception {
        Path out = tmp.resolve("extended");
        Commands.Run r = TaskTesting.ok(lm(out, 1, "--set", "data.train=" + textB, "--set",
                "vocab.on-new-tokens=extend", "--warm-start", parent.toString()));
        Set<Integer> added = chars(textB);
        added.removeAll(chars(textA));
        assertTrue(added.size() >= 8 && added.stream().allMatch(c -> "zZqQ0123456789".indexOf(c) >= 0),
                "z, Z, q, Q and digits: " + added);

        String was = Files.readString(parent.resolve("model/vocab-chars.txt"));
        String now = Files.readString(out.resolve("model/vocab-chars.txt"));
        List<String> wasLines = was.lines().toList();
        List<String> nowLines = now.lines().toList();
        assertEquals(wasLines, nowLines.subList(0, wasLines.size()), "the parent's ids changed");
        assertEquals(wasLines.size() + added.size(), nowLines.size());

        SafeTensorsFile before = SafeTensors.read(parent.resolve("model/" + ModelFiles.WEIGHTS));
        SafeTensorsFile after = SafeTensors.read(out.resolve("model/" + ModelFiles.WEIGHTS));
        String embedding = before.tensors().get(0).name();
        assertEquals(before.get(embedding).rows() + added.size(), after.get(embedding).rows(), embedding);
        JsonNode v = TaskTesting.jsonFile(out.resolve("eval.json")).get("warm_start_vocabulary");
        assertEquals(added.size(), v.get("tokens_added").asInt(), v.toString());
        assertEquals(0, v.get("unseen_tokens").asLong(), v.toString());
        assertTrue(r.out().contains(added.size() + " token(s) appended"), r.out());
        assertEquals(3, TaskTesting.jsonFile(out.resolve("eval.json")).get("rounds").asLong());
    }

    @Test
    void unkKeepsTheParentsVocabularyAndCountsWhatItLacks() throws Exception {
        Path out = tmp.resolve("unk");
        Commands.Run r = TaskTesting.ok(lm(out, 1, "--set", "data.train=" + textB, "--warm-start",
                parent.resolve("model").toString()));
        Set<Integer> known = chars(textA);
        long unseen = Files.readString(textB).codePoints().filter(c -> !known.contains(c)).count();
        assertTrue(unseen > 1000, "the sample has " + unseen + " z, q and digits");
        JsonNode v = TaskTesting.jsonFile(out.resolve("eval.json")).get("warm_start_vocabulary");
        assertEquals(unseen, v.get("unseen_tokens").asLong(), v.toString());
        assertEquals(0, v.get("tokens_added").asInt(), v.toString());
        assertArrayEquals(bytes(parent.resolve("model/vocab-chars.txt")), bytes(out.resolve("model/vocab-chars.txt")));
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "%,d characters", unseen)), r.out());
    }

    @Test
    void aForecasterKeepsOrRefitsTheParentsNormaliser() throws Exception {
        Path series = Path.of(TaskTesting.path("data/samples/us-births/us-births.csv"));
        List<String> rows = Files.readAllLines(series);
        Path later = tmp.resolve("later.csv");
        Files.write(later, rows.subList(0, 1));
        Files.write(later, rows.subList(3001, rows.size()), java.nio.file.StandardOpenOption.APPEND);
        String[] sets = {"data.train=" + series, "model.hidden=8", "train.local-steps=3", "eval.every=100"};
        Path first = tmp.resolve("births");
        TaskTesting.ok(with(TaskTesting.train("conf/births-forecast.conf", first, sets), "train.rounds=1"));
        byte[] parentNorm = bytes(first.resolve("model/normalizer.json"));
        for (String mode : List.of("keep", "refit")) {
            Path out = tmp.resolve("births-" + mode);
            List<String> a = new ArrayList<>(List.of(with(with(TaskTesting.train("conf/births-forecast.conf", out,
                    sets), "train.rounds=1"), "forecast.normalizer=" + mode)));
            a.addAll(List.of("--set", "data.train=" + later, "--warm-start", first.toString()));
            TaskTesting.ok(a.toArray(new String[0]));
            byte[] norm = bytes(out.resolve("model/normalizer.json"));
            assertEquals(mode.equals("keep"), java.util.Arrays.equals(parentNorm, norm), mode);
            assertEquals(2, TaskTesting.jsonFile(out.resolve("eval.json")).get("rounds").asLong());
        }
    }

    @Test
    void architectureKeysThatContradictTheParentAreRefused() {
        Path out = tmp.resolve("contradicts");
        Commands.Run r = MainTest.run(lm(out, 1, "--set", "model.hidden=24", "--set", "model.cell=gru",
                "--warm-start", parent.toString()));
        TaskTesting.configError(r, "model.hidden = 24 (the parent's is 16)");
        assertTrue(r.err().contains("model.cell = gru (the parent's is lstm)"), r.err());
        assertFalse(Files.exists(out));
        TaskTesting.configError(MainTest.run(lm(out, 1, "--warm-start", "registry:births@3")),
                "expected registry:<root>#<name>[@<version>]");
        TaskTesting.configError(MainTest.run(lm(parent, 1, "--set", "output.overwrite=true", "--warm-start",
                parent.toString())), "holds the parent model");
    }

    @Test
    void aDamagedParentIsBadInputAndNothingIsWritten() throws Exception {
        Path copy = tmp.resolve("damaged");
        Files.createDirectories(copy);
        try (var files = Files.list(parent.resolve("model"))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Path weights = copy.resolve(ModelFiles.WEIGHTS);
        byte[] b = Files.readAllBytes(weights);
        b[b.length - 3] ^= 0x10;
        Files.write(weights, b);
        Path out = tmp.resolve("from-damaged");
        Commands.Run r = MainTest.run(lm(out, 1, "--warm-start", copy.toString()));
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(ModelFiles.WEIGHTS) && r.err().contains("does not match"), r.err());
        assertFalse(Files.exists(out), "output.dir was written");
    }
}
