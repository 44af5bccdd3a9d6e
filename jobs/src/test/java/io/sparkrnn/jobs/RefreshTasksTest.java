package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code refresh} of each task but the language model ({@link RefreshCommandTest}) end to end in local[2], with
 * {@link TinyConfigs}: the first refresh trains from scratch and promotes; the second warm-starts from CURRENT with
 * one setting changed, trains, registers v0002 and scores both versions on the held-out part of data.train, and the
 * gate decides by the task's figure. The figures recorded in version.json are those {@code evaluate --part
 * validation} reports for each version.
 */
class RefreshTasksTest {
    @TempDir
    Path tmp;

    /** Two refreshes of {@code task}; the second's exit code must be {@code code}. Returns v0002's version.json. */
    private JsonNode secondRefresh(TinyConfigs task, int code, String... more) throws Exception {
        Path root = tmp.resolve("registry");
        Path out = tmp.resolve("out");
        String name = task.name().toLowerCase(java.util.Locale.ROOT);
        Commands.Run first = TaskTesting.ok(task.refresh(root, name, out));
        assertTrue(first.out().contains("promoted: v0001 serves " + name), first.out());
        Commands.Run second = MainTest.run(task.refresh(root, name, out, more));
        assertEquals(code, second.code(), second.out() + second.err());
        assertTrue(second.out().contains("warm start from v0001"), second.out());
        assertTrue(second.out().contains("round 2/2"), "the round counter continues: " + second.out());
        JsonNode v2 = TaskTesting.jsonFile(root.resolve(name).resolve("v0002").resolve("version.json"));
        assertEquals(1, v2.get("parent").asInt());
        JsonNode gate = v2.get("gate");
        assertEquals(task.metric(), gate.get("metric").asText());
        assertEquals(1, gate.get("current").get("version").asInt());
        assertEquals(task.dataTrain() + " (validation part)", gate.get("data").asText());
        // what the gate recorded is what evaluate reports for each version on the same held-out part
        sameFigures(gate.get("candidate"), evaluate(root.resolve(name).resolve("v0002")));
        sameFigures(gate.get("current").get("figures"), evaluate(root.resolve(name).resolve("v0001")));
        String current = Files.readString(root.resolve(name).resolve("CURRENT"));
        assertEquals(code == Main.OK ? "v0002\nv0001\n" : "v0001\n", current);
        assertEquals(code == Main.OK ? "promoted" : "rejected", v2.get("status").asText());
        assertEquals(code == Main.OK, gate.get("passed").asBoolean());
        return v2;
    }

    private static JsonNode evaluate(Path version) {
        return TaskTesting.heldOut(version, "validation");
    }

    /** Every figure of {@code recorded} equals the one {@code evaluated} reports, and it reports no other. */
    private static void sameFigures(JsonNode recorded, JsonNode evaluated) {
        int n = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = evaluated.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getKey().equals("part") && !f.getKey().equals("data")) {
                assertEquals(f.getValue(), recorded.get(f.getKey()), f.getKey() + " in " + recorded);
                n++;
            }
        }
        assertEquals(n, recorded.size(), "recorded " + recorded + ", evaluated " + evaluated);
    }

    private static double figure(JsonNode gate, String who) {
        JsonNode f = who.equals("candidate") ? gate.get("candidate") : gate.get("current").get("figures");
        return f.get(gate.get("metric").asText()).asDouble();
    }

    @Test
    void aTaggerRuinedByItsLearningRateIsRejected() throws Exception {
        JsonNode v2 = secondRefresh(TinyConfigs.TAG, Main.NOT_PROMOTED, "--set", "train.lr=2");
        JsonNode gate = v2.get("gate");
        assertEquals("higher", gate.get("better").asText());
        assertTrue(figure(gate, "candidate") < figure(gate, "current"), gate.toString());
        assertTrue(v2.get("rejected_reason").asText().startsWith("gate: accuracy"), v2.toString());
    }

    @Test
    void aClassifierTrainedFurtherAtAHigherLearningRateFindsSpamAndIsPromoted() throws Exception {
        JsonNode gate = secondRefresh(TinyConfigs.CLASSIFY, Main.OK, "--set", "train.lr=0.05").get("gate");
        assertEquals("higher", gate.get("better").asText());
        assertTrue(figure(gate, "candidate") > figure(gate, "current"), gate.toString());
    }

    @Test
    void aWorseForecasterWithinTheToleranceIsPromoted() throws Exception {
        JsonNode gate = secondRefresh(TinyConfigs.FORECAST, Main.OK, "--set", "train.lr=0.3", "--tolerance", "5000")
                .get("gate");
        assertEquals("lower", gate.get("better").asText());
        assertEquals(5000.0, gate.get("tolerance").asDouble());
        double worse = figure(gate, "candidate") - figure(gate, "current");
        assertTrue(worse > 0 && worse <= 5000, "worse, but by at most the tolerance: " + gate);
    }

    @Test
    void aG2pModelTrainedFurtherMakesFewerPhoneErrorsAndIsPromoted() throws Exception {
        JsonNode gate = secondRefresh(TinyConfigs.SEQ2SEQ, Main.OK, "--set", "train.local-steps=20").get("gate");
        assertEquals("lower", gate.get("better").asText());
        assertTrue(figure(gate, "candidate") < figure(gate, "current"), gate.toString());
        assertFalse(gate.get("candidate").has("chrf"), "phones are not words: " + gate);
    }
}
