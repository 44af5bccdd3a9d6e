package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.tensor.Bf16Products;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkBenchTest {
    /** The sample's 10% validation tail, from the repository root (tests run in bench/). */
    static final String TEXT = Path.of("..", "data", "samples", "moby-dick", "moby-dick.txt").toString();

    /**
     * The tiny budget: 3 rounds of 2 local steps of 4 lanes x 10 tokens on 2 partitions, LSTM 64: the smallest
     * hidden size at which the step's products (4 x 64 x 256 recurrent, 40 x 8 x 256 input, 40 x 64 x V head) reach
     * the size that bf16 runs in bf16 ({@code Bf16Products.MIN_MNK}; below it they stay float32).
     */
    private static final List<String> TINY = List.of("--text", TEXT, "--rounds", "3", "--local-steps", "2", "--hidden",
            "64", "--embedding", "8", "--batch", "4", "--k", "10");

    @TempDir
    static Path tmp;

    /** The tiny run of both implementations in float32 (the default), run once for the tests that read it. */
    private static Tiny float32;

    /** A finished {@code bench spark} run: its console output and its JSON report. */
    record Tiny(String out, JsonNode report) {
    }

    /** {@code bench spark} on the tiny budget with {@code extra} options; it must exit 0. */
    private static Tiny tiny(String name, String... extra) throws IOException {
        Path json = tmp.resolve(name + ".json");
        List<String> args = new ArrayList<>(List.of("spark"));
        args.addAll(TINY);
        args.addAll(List.of(extra));
        args.addAll(List.of("--json", json.toString()));
        EngineBenchTest.Run r = EngineBenchTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());
        return new Tiny(r.out(), new ObjectMapper().readTree(json.toFile()));
    }

    private static synchronized Tiny float32() throws IOException {
        if (float32 == null) {
            float32 = tiny("spark");
        }
        return float32;
    }

    /** A tiny budget end to end: both implementations in their own JVMs on local[2]; finite figures for both. */
    @Test
    void tinyRunOfBothImplementationsWritesFiniteFigures() throws Exception {
        String out = float32().out();
        JsonNode report = float32().report();
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
        // the default: both sides float32, in the report, in each record and in each row of the table
        assertEquals("{\"ours\":\"float32\",\"dl4j\":\"float32\"}", report.get("precision").toString());
        assertEquals("float32", report.get("settings").get("precision").asText());
        assertTrue(!report.has("precision_fallback"), report.toString());
        for (JsonNode r : byImpl.values()) {
            assertEquals("float32", r.get("precision").asText(), r.toString());
            assertTrue(out.contains("\n" + String.format("%-6s %-9s %7d", r.get("implementation").asText(), "float32",
                    3)), out);
        }
        assertTrue(out.contains("\nimpl   precision  rounds"), out);
    }

    /**
     * Ours with {@code --precision bf16} on the tiny budget: the report says bf16 ran where oneDNN has bf16 units
     * (float32 where it has none, with the fallback line), and the validation bits per char stay near the float32
     * run's.
     */
    @Test
    void tinyRunInBf16RecordsItsPrecisionAndStaysNearFloat32() throws Exception {
        Tiny bf16 = tiny("spark-bf16", "--impl", "ours", "--precision", "bf16");
        JsonNode report = bf16.report();
        // oneDNN's decision in this JVM is the child's: same CPU, same environment
        String ran = Bf16Products.available() ? "bf16" : "float32";
        assertEquals("{\"ours\":\"" + ran + "\"}", report.get("precision").toString());
        assertEquals("bf16", report.get("settings").get("precision").asText());
        JsonNode ours = report.get("records").get(0);
        assertEquals("ok", ours.get("status").asText(), ours.toString());
        assertEquals(ran, ours.get("precision").asText());
        assertEquals(Bf16Products.isa(), ours.get("onednn_isa").asText());
        assertTrue(bf16.out().contains("\n" + String.format("%-6s %-9s %7d", "ours", ran, 3)), bf16.out());
        String fallback = "ours: --precision bf16 ran float32: oneDNN's ISA here is " + Bf16Products.isa()
                + " (no bf16 units)";
        assertEquals(ran.equals("float32"), bf16.out().contains(fallback), bf16.out());
        assertEquals(ran.equals("float32") ? fallback : null, report.path("precision_fallback").textValue());

        double f32 = float32().report().get("records").get(0).get("valid_bpc").asDouble();
        assertEquals("ours", float32().report().get("records").get(0).get("implementation").asText());
        double diff = Math.abs(ours.get("valid_bpc").asDouble() - f32);
        String both = "bf16 " + ours.get("valid_bpc") + " against float32 " + f32;
        // bf16 products really ran: the weights, hence the bits per char, differ from float32's (equal when not)
        assertEquals(ran.equals("bf16"), diff > 0, both);
        // Measured 5.7e-5 bits/char (6.170098 against 6.170155; AMD EPYC, oneDNN avx512_core_bf16, 2026-12-07): bf16
        // operands keep 8 bits of mantissa, and the 6 Adam steps of the tiny budget move the weights by a few lr
        // each, so the two runs' weights, and their bits per char, part only slightly. 2e-4 is 3.5x that: room for
        // another CPU's oneDNN kernels (AMX, another accumulation order).
        assertTrue(diff < 2e-4, both);
    }

    /** A run of ours whose settings asked for bf16 but that ran float32 gets a row and a line saying so. */
    @Test
    void aBf16RunThatRanFloat32SaysSo() throws Exception {
        ObjectNode r = (ObjectNode) float32().report().get("records").get(0).deepCopy();
        ((ObjectNode) r.get("settings")).put("precision", "bf16");
        r.put("onednn_isa", "avx2");
        ArrayNode records = new ObjectMapper().createArrayNode().add(r);
        String table = SparkComparison.table(records, float32().report().get("cpu"));
        String line = "ours: --precision bf16 ran float32: oneDNN's ISA here is avx2 (no bf16 units)";
        assertEquals(line, SparkComparison.fallback(r));
        assertTrue(table.contains("\nours   float32 ") && table.contains("\n" + line + "\n"), table);
        r.put("precision", "bf16");
        assertEquals(null, SparkComparison.fallback(r));
        assertTrue(!SparkComparison.table(records, float32().report().get("cpu")).contains("no bf16 units"));
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
        assertConfigError(EngineBenchTest.run("spark", "--text", TEXT, "--precision", "fp16"),
                "--precision must be one of [float32, bf16], found 'fp16'");
        assertConfigError(EngineBenchTest.run("scaling", "--precision", "bf16"), "unknown option '--precision'");
        assertConfigError(EngineBenchTest.run("spark", "--text", TEXT, "--round-tasks", "often"),
                "--round-tasks must be auto, per-round or resident, found 'often'");
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
