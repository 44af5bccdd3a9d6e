package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkBenchTest {
    /** The sample's 10% validation tail, from the repository root (tests run in bench/). */
    static final String TEXT = Path.of("..", "data", "samples", "moby-dick", "moby-dick.txt").toString();

    @TempDir
    Path tmp;

    /** A tiny budget end to end: both implementations in their own JVMs on local[2]; finite figures for both. */
    @Test
    void tinyRunOfBothImplementationsWritesFiniteFigures() throws Exception {
        Path json = tmp.resolve("spark.json");
        EngineBenchTest.Run r0 = EngineBenchTest.run("spark", "--text", TEXT, "--rounds", "3", "--local-steps", "2",
                "--hidden", "16", "--embedding", "8", "--batch", "4", "--k", "10", "--json", json.toString());
        String out = r0.out();
        assertEquals(0, r0.code(), out + r0.err());

        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals(3L * 2 * 2 * 4 * 10, report.get("tokens_budget").asLong());
        Map<String, JsonNode> byImpl = new HashMap<>();
        for (JsonNode r : report.get("records")) {
            byImpl.put(r.get("implementation").asText(), r);
        }
        assertEquals(2, byImpl.size(), byImpl.keySet().toString());
        for (JsonNode r : byImpl.values()) {
            String impl = r.get("implementation").asText();
            assertEquals("ok", r.get("status").asText(), impl + ": " + r);
            assertEquals(3, r.get("rounds").size(), impl);
            assertEquals(report.get("tokens_budget").asLong(), r.get("tokens").asLong(), impl);
            assertTrue(r.get("tokens_per_s").asDouble() > 0 && Double.isFinite(r.get("tokens_per_s").asDouble()), impl);
            double share = r.get("outside_share").asDouble();
            assertTrue(share >= 0 && share <= 1, impl + " outside share " + share);
            double bpc = r.get("valid_bpc").asDouble();
            // Vocabulary of the sample is below 128 symbols: an untrained model is near log2(V) < 7 bits.
            assertTrue(bpc > 1 && bpc < 8, impl + " valid bpc " + bpc);
            for (JsonNode round : r.get("rounds")) {
                assertTrue(round.get("seconds_local").asDouble() > 0, impl + " " + round);
                assertTrue(round.get("seconds_local").asDouble() <= round.get("seconds_total").asDouble() + 1e-3,
                        impl + " " + round);
            }
            assertTrue(r.get("peak_rss_mb").asDouble() > 0, impl);
        }
        assertTrue(Double.isFinite(byImpl.get("ours").get("rounds").get(0).get("train_loss").asDouble()));
        // ours splits the time outside local training by step; the steps add up to it (dl4j has no breakdown)
        for (JsonNode round : byImpl.get("ours").get("rounds")) {
            JsonNode o = round.get("outside");
            double parts = 0;
            for (String step : new String[] {"broadcast", "task_load", "spark", "task_extract", "sum", "apply",
                    "release", "other"}) {
                parts += o.get(step).asDouble();
            }
            assertEquals(round.get("seconds_total").asDouble() - round.get("seconds_local").asDouble(), parts, 1e-9,
                    round.toString());
            assertEquals(Math.max(0, parts), o.get("total").asDouble(), 1e-9, round.toString());
            for (String step : new String[] {"broadcast", "task_load", "task_extract", "sum", "apply", "release"}) {
                assertTrue(o.get(step).asDouble() >= 0 && o.get(step).asDouble() < round.get("seconds_total")
                        .asDouble(), step + " " + round);
            }
            for (String step : new String[] {"launch", "task_deserialize", "result_serialize"}) {
                assertTrue(o.get("spark_by_task_metrics").get(step).asDouble() >= 0, step + " " + round);
            }
        }
        assertTrue(byImpl.get("ours").get("outside_per_round").get("total").asDouble() >= 0);
        assertTrue(!byImpl.get("dl4j").get("rounds").get(0).has("outside"), byImpl.get("dl4j").toString());
        double ratio = byImpl.get("ours").get("tokens_per_s").asDouble()
                / byImpl.get("dl4j").get("tokens_per_s").asDouble();
        assertEquals(ratio, byImpl.get("dl4j").get("ratio_ours_over_this").asDouble(), 1e-9);
        assertTrue(out.contains("valid bpc"), out);
        // the table opens with this machine's CPU line, also in the report
        assertTrue(out.contains("\n" + CpuInfo.current().line() + "\nimpl "), out);
        assertEquals(CpuInfo.current().line(), CpuInfo.line(report.get("cpu")));
    }

    @Test
    void badOptionsAreConfigErrorsBeforeAnyRun() {
        assertConfigError(EngineBenchTest.run("spark", "--text", TEXT, "--rounds", "2", "--tokens", "1000"),
                "give either --rounds or --tokens, not both");
        assertConfigError(EngineBenchTest.run("spark", "--local-step", "5"), "unknown option '--local-step'; did you "
                + "mean '--local-steps'?");
        assertConfigError(EngineBenchTest.run("spark", "--text", TEXT, "--local-steps", "0"),
                "local-steps must be positive, found 0");
        assertConfigError(EngineBenchTest.run("scaling", "--text", "no/such.txt"), "--text: no such file", "no/such.txt");
        assertConfigError(EngineBenchTest.run("spark", "--text", TEXT, "--impl", "ours,torch"),
                "--impl must list [ours, dl4j], found 'torch'");
        assertConfigError(EngineBenchTest.run("spark", "--tokens", "lots"), "--tokens expects a whole number, found "
                + "'lots'");
        assertConfigError(EngineBenchTest.run("scaling", "--outer-lr", "fast"), "--outer-lr expects a number, found "
                + "'fast'");
        assertConfigError(EngineBenchTest.run("scaling", "--text", TEXT, "--outer", "adam"), "--outer: expected "
                + "plain[:LR] or nesterov[:LR[:MOMENTUM]], found 'adam'");
        // each benchmark takes its own options: --tokens is spark's, --skip-outer scaling's
        assertConfigError(EngineBenchTest.run("scaling", "--tokens", "1000"), "unknown option '--tokens'");
        assertConfigError(EngineBenchTest.run("spark", "--skip-outer"), "unknown option '--skip-outer'");
    }

    private static void assertConfigError(EngineBenchTest.Run r, String... parts) {
        EngineBenchTest.assertConfigError(r, parts);
    }

    @Test
    void tokensBudgetRoundsUp() {
        SparkBenchSettings s = SparkBenchSettings.defaults();
        assertEquals(2L * 25 * 32 * 50, s.tokensPerRound());
    }
}
