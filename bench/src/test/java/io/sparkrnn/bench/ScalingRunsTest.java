package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalingRunsTest {
    @TempDir
    Path tmp;

    private static JsonNode rounds(String json) throws Exception {
        return new ObjectMapper().readTree(json);
    }

    @Test
    void tokensToReachInterpolatesBetweenEvaluatedRounds() throws Exception {
        JsonNode r = rounds("[{\"round\":1,\"tokens_cumulative\":100,\"valid_bpc\":4.0},"
                + "{\"round\":2,\"tokens_cumulative\":200,\"valid_bpc\":null},"
                + "{\"round\":3,\"tokens_cumulative\":300,\"valid_bpc\":3.0},"
                + "{\"round\":4,\"tokens_cumulative\":400,\"valid_bpc\":2.0}]");
        // 2.5 lies halfway between 3.0 (300 tokens) and 2.0 (400 tokens).
        assertEquals(350, ScalingRuns.tokensToReach(r, "valid_bpc", 2.5), 1e-9);
        // between round 1 (4.0) and round 3 (3.0): 3.5 at 200 tokens; round 2 has no validation.
        assertEquals(200, ScalingRuns.tokensToReach(r, "valid_bpc", 3.5), 1e-9);
        assertEquals(100, ScalingRuns.tokensToReach(r, "valid_bpc", 5.0), 1e-9);
        assertTrue(Double.isNaN(ScalingRuns.tokensToReach(r, "valid_bpc", 1.0)));
        assertEquals(3.5, ScalingRuns.roundsToReach(r, "valid_bpc", 2.5), 1e-9);
    }

    @Test
    void ratioByBudgetComparesEveryValidatedSinglePartitionRound() throws Exception {
        JsonNode one = rounds("[{\"round\":1,\"tokens_cumulative\":100,\"valid_bpc\":4.0},"
                + "{\"round\":2,\"tokens_cumulative\":200,\"valid_bpc\":null},"
                + "{\"round\":3,\"tokens_cumulative\":300,\"valid_bpc\":2.5},"
                + "{\"round\":4,\"tokens_cumulative\":400,\"valid_bpc\":1.0}]");
        JsonNode two = rounds("[{\"round\":1,\"tokens_cumulative\":200,\"valid_bpc\":3.5},"
                + "{\"round\":2,\"tokens_cumulative\":400,\"valid_bpc\":2.0}]");
        JsonNode b = ScalingRuns.ratiosByBudget(one, two);
        assertEquals(3, b.size(), b.toString());
        // 4.0 is reached at once (200 tokens of the 2-partition run against 100).
        assertEquals(1, b.get(0).get("round").asInt());
        assertEquals(2.0, b.get(0).get("tokens_ratio").asDouble(), 1e-12);
        // 2.5 lies two thirds of the way from 3.5 (200) to 2.0 (400): 333.3 tokens against 300.
        assertEquals(3, b.get(1).get("round").asInt());
        assertEquals(200 + 200 * (1.0 / 1.5), b.get(1).get("tokens_2_partitions").asDouble(), 1e-9);
        assertEquals((200 + 200 * (1.0 / 1.5)) / 300, b.get(1).get("tokens_ratio").asDouble(), 1e-12);
        // 1.0 is never reached.
        assertTrue(b.get(2).get("tokens_ratio").isNull());
    }

    /**
     * A tiny budget end to end with two outer steps for the 2-partition run: one 1-partition run (always plain
     * averaging, lr 1), one 2-partition run per candidate, each compared with the same 1-partition target.
     */
    @Test
    void eachOuterCandidateIsRunAgainstTheSamePlainSinglePartitionTarget() throws Exception {
        Path json = tmp.resolve("scaling.json");
        EngineBenchTest.Run r0 = EngineBenchTest.run("scaling", "--text", SparkBenchTest.TEXT, "--rounds", "4",
                "--local-steps", "2", "--hidden", "8", "--embedding", "8", "--batch", "4", "--k", "10", "--outer",
                "plain,nesterov:0.7:0.9", "--skip-outer", "--json", json.toString());
        String out = r0.out();
        assertEquals(0, r0.code(), out + r0.err());

        JsonNode report = new ObjectMapper().readTree(json.toFile());
        JsonNode records = report.get("records");
        assertEquals(3, records.size(), records.toString());
        JsonNode one = records.get(0);
        assertEquals(1, one.get("partitions").asInt());
        assertEquals("plain", one.get("settings").get("outer").asText());
        assertEquals(1.0, one.get("settings").get("outerLr").asDouble());
        assertEquals("nesterov", records.get(2).get("settings").get("outer").asText());
        assertEquals(0.9, records.get(2).get("settings").get("outerMomentum").asDouble());
        // 4 rounds of 1 partition vs 3 rounds (0.75x the rounds, 1.5x the tokens) of 2.
        assertEquals(4L * 2 * 4 * 10, one.get("tokens").asLong());
        assertEquals(3L * 2 * 2 * 4 * 10, records.get(1).get("tokens").asLong());

        JsonNode scaling = report.get("scaling");
        double target = one.get("valid_bpc").asDouble();
        assertEquals(target, scaling.get("target_valid_bpc").asDouble());
        JsonNode rows = scaling.get("candidates");
        assertEquals(2, rows.size());
        for (int i = 0; i < 2; i++) {
            JsonNode row = rows.get(i);
            JsonNode run = records.get(i + 1);
            assertEquals(i == 0 ? "plain:1" : "nesterov:0.7:0.9", row.get("outer").asText());
            assertEquals(run.get("valid_bpc").asDouble(), row.get("final_valid_bpc").asDouble());
            // The last budget of the per-budget ratios is the run's own target.
            JsonNode last = row.get("ratio_by_budget").get(row.get("ratio_by_budget").size() - 1);
            assertEquals(4, last.get("round").asInt());
            assertEquals(row.get("tokens_ratio"), last.get("tokens_ratio"));
            double reach = ScalingRuns.tokensToReach(run.get("rounds"), "valid_bpc", target);
            if (Double.isNaN(reach)) {
                assertTrue(row.get("tokens_ratio").isNull(), row.toString());
            } else {
                assertEquals(reach / one.get("tokens").asDouble(), row.get("tokens_ratio").asDouble(), 1e-12);
            }
        }
        // The outer step changes the trajectory: the two 2-partition runs end at different parameters.
        assertTrue(rows.get(0).get("final_valid_bpc").asDouble() != rows.get(1).get("final_valid_bpc").asDouble(),
                rows.toString());
        assertTrue(out.contains("2 partitions (outer nesterov:0.7:0.9) reach it"), out);
    }

    @Test
    void aBadOuterSpecIsAConfigErrorBeforeAnyRun() {
        EngineBenchTest.Run r = EngineBenchTest.run("scaling", "--text", SparkBenchTest.TEXT, "--outer",
                "plain,momentum:0.9");
        EngineBenchTest.assertConfigError(r, "--outer: expected plain[:LR] or nesterov[:LR[:MOMENTUM]], found "
                + "'momentum:0.9'");
        assertTrue(!r.out().contains("running"), "no run started: " + r.out());
    }
}
