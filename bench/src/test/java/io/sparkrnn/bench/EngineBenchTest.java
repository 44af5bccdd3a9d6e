package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.io.pytorch.PythonTorch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EngineBenchTest {
    @TempDir
    Path tmp;

    /**
     * Tiny settings, ours and DL4J only (no torch needed), at 1 and 2 threads: every record is there, measured
     * with finite numbers or marked n/a, says how its threads were used, and the ratios follow from the records.
     */
    @Test
    void tinyRunWritesOneRecordPerImplementationCellHiddenAndThreads() throws Exception {
        Path json = tmp.resolve("bench.json");
        Run r0 = run("engine", "--cells", "lstm,gru", "--hidden", "8", "--impl", "ours,dl4j", "--repeats", "1",
                "--steps", "2", "--batch", "4", "--seq", "20", "--k", "10", "--threads", "1,2", "--json",
                json.toString());
        String out = r0.out();
        assertEquals(0, r0.code(), out + r0.err());

        JsonNode report = new ObjectMapper().readTree(json.toFile());
        for (String t : new String[] {"1", "2"}) {
            double peak = report.get("gemm_peak_gflops_by_threads").get(t).asDouble();
            assertTrue(peak > 0 && Double.isFinite(peak), out);
        }
        Map<String, JsonNode> byKey = new HashMap<>();
        for (JsonNode r : report.get("records")) {
            byKey.put(r.get("implementation").asText() + "/" + r.get("cell").asText() + "/" + r.get("hidden").asInt()
                    + "/" + r.get("batch").asInt() + "/" + r.get("threads").asInt(), r);
        }
        assertEquals(8, byKey.size(), byKey.keySet().toString());
        for (String key : new String[] {"ours/lstm/8/4/1", "ours/lstm/8/4/2", "ours/gru/8/4/1", "ours/gru/8/4/2",
            "dl4j/lstm/8/4/1", "dl4j/lstm/8/4/2"}) {
            JsonNode r = byKey.get(key);
            assertEquals("ok", r.get("status").asText(), key + ": " + r);
            for (String f : new String[] {"tokens_per_s", "gflops", "pct_of_gemm_peak", "peak_rss_mb"}) {
                double v = r.get(f).asDouble();
                assertTrue(v > 0 && Double.isFinite(v), key + " " + f + " = " + v);
            }
            assertEquals(report.get("gemm_peak_gflops_by_threads").get(r.get("threads").asText()).asDouble(),
                    r.get("gemm_peak_gflops").asDouble(), 0.0, key);
            // Ours runs its thread count as engine threads over single-threaded BLAS; the peers as BLAS threads.
            boolean ours = key.startsWith("ours/");
            int threads = r.get("threads").asInt();
            assertEquals(ours ? threads : 1, r.get("engine_threads").asInt(), key);
            assertEquals(ours ? 1 : threads, r.get("blas_threads").asInt(), key);
        }
        assertEquals("2 engine threads (batch-parallel row blocks), BLAS 1 thread",
                byKey.get("ours/lstm/8/4/2").get("mode").asText());
        assertEquals("n/a", byKey.get("dl4j/gru/8/4/1").get("status").asText());
        JsonNode d1 = byKey.get("dl4j/lstm/8/4/1");
        assertEquals(tps(byKey.get("ours/lstm/8/4/1")) / tps(d1), d1.get("ratio_ours_same_threads_over_this")
                .asDouble(), 1e-9);
        JsonNode lstm = report.get("summary").get(0);
        assertEquals("lstm", lstm.get("cell").asText());
        double oursBest = Math.max(tps(byKey.get("ours/lstm/8/4/1")), tps(byKey.get("ours/lstm/8/4/2")));
        double dl4jBest = Math.max(tps(d1), tps(byKey.get("dl4j/lstm/8/4/2")));
        assertEquals(oursBest / dl4jBest, lstm.get("dl4j").get("ratio_ours_best_over_this_best").asDouble(), 1e-9);
        assertTrue(out.contains("best against best"), out);
        assertTrue(out.contains("\n" + CpuInfo.current().line() + "\nGEMM peak"), out);
        assertEquals(CpuInfo.current().line(), CpuInfo.line(report.get("cpu")));
    }

    /**
     * The PyTorch peers in one table: torch (float32) and torch-bf16 (the same step under bf16 autocast), each
     * measured and saying which it ran; skipped where no python3 imports torch.
     */
    @Test
    void torchBf16IsTheAutocastPeerInTheSameTable() throws Exception {
        Assumptions.assumeTrue(PythonTorch.find().isPresent(), "no python3 that imports torch");
        Path json = tmp.resolve("torch.json");
        Run r0 = run("engine", "--cells", "lstm", "--hidden", "8", "--impl", "torch,torch-bf16", "--repeats",
                "1", "--steps", "2", "--batch", "4", "--seq", "20", "--k", "10", "--threads", "1", "--json",
                json.toString());
        assertEquals(0, r0.code(), r0.out() + r0.err());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        Map<String, JsonNode> byImpl = new HashMap<>();
        for (JsonNode r : report.get("records")) {
            byImpl.put(r.get("implementation").asText(), r);
        }
        assertEquals(2, byImpl.size(), byImpl.keySet().toString());
        assertEquals("none", byImpl.get("torch").get("autocast").asText());
        assertEquals("bf16", byImpl.get("torch-bf16").get("autocast").asText());
        for (JsonNode r : byImpl.values()) {
            assertEquals("ok", r.get("status").asText(), r.toString());
            assertTrue(tps(r) > 0 && Double.isFinite(tps(r)), r.toString());
        }
        JsonNode bf16 = report.get("summary").get(0).get("torch-bf16");
        assertEquals(tps(byImpl.get("torch-bf16")), bf16.get("best_tokens_per_s").asDouble(), 0.0);
        assertTrue(r0.out().contains("\ntorch-bf16 lstm ") && r0.out().contains("  torch-bf16 "), r0.out());
    }

    /** Reference values: the best of each implementation over thread counts, whatever count it is reached at. */
    @Test
    void ratiosCompareEachImplementationsBestThreadCount() {
        ArrayNode records = EngineBench.JSON.createArrayNode();
        record(records, "ours", 1, 50_000);
        record(records, "ours", 2, 40_000);
        record(records, "torch", 1, 45_000);
        record(records, "torch", 2, 20_000);
        ArrayNode summary = EngineReport.rate(records);
        assertEquals(1, summary.size());
        JsonNode torch = summary.get(0).get("torch");
        assertEquals(45_000, torch.get("best_tokens_per_s").asDouble(), 0.0);
        assertEquals(1, torch.get("best_threads").asInt());
        assertEquals(50_000.0 / 45_000, torch.get("ratio_ours_best_over_this_best").asDouble(), 1e-12);
        assertEquals(2.0, records.get(3).get("ratio_ours_same_threads_over_this").asDouble(), 1e-12);
        assertTrue(records.get(2).get("best_of_implementation").asBoolean());
        assertFalse(records.get(3).get("best_of_implementation").asBoolean());
    }

    @Test
    void batchAndThreadsTakeSeveralValues() {
        EngineBench bench = new EngineBench(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        new CommandLine(bench).parseArgs("--batch", "32,128", "--threads", "1,2", "--cells", "LSTM, gru");
        BenchSettings s = bench.settings();
        assertEquals(List.of(32, 128), s.batches());
        assertEquals(List.of(1, 2), s.threads());
        assertEquals(List.of("lstm", "gru"), s.cells());
        assertEquals(BenchSettings.defaults().hiddens(), s.hiddens());
        assertEquals(128 * 100, s.at(128, 2).tokensPerBatch());
        assertThrows(IllegalStateException.class, s::batch);
        assertConfigError(run("engine", "--threads", "1,two"),
                "--threads expects whole numbers separated by commas, found 'two'");
    }

    /**
     * A child still running at its time limit is killed at the limit, with the process it started, and reported
     * as timed out; here a shell whose background sleep would hold its output open for a minute.
     */
    @Test
    void aChildPastItsTimeLimitIsKilledWithWhatItStarted() throws Exception {
        Path pidFile = tmp.resolve("sleep.pid");
        List<String> cmd = List.of("sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait");
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EngineBench.runChild(cmd, Map.of(), "", Duration.ofSeconds(2)));
        double seconds = (System.nanoTime() - t0) * 1e-9;
        assertTrue(e.getMessage().contains("timed out after 2 s"), e.getMessage());
        assertTrue(seconds < 20, "returned after " + seconds + " s");
        // killed: gone within seconds (a kill signal is delivered asynchronously), not after its minute
        long sleep = Long.parseLong(Files.readString(pidFile).strip());
        try {
            ProcessHandle.of(sleep).ifPresent(h -> assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> h.onExit().join(), "sleep " + sleep + " runs on"));
        } finally {
            ProcessHandle.of(sleep).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static double tps(JsonNode r) {
        return r.get("tokens_per_s").asDouble();
    }

    private static void record(ArrayNode records, String impl, int threads, double tps) {
        ObjectNode r = records.addObject();
        r.put("implementation", impl);
        r.put("cell", "lstm");
        r.put("hidden", 128);
        r.put("batch", 32);
        r.put("threads", threads);
        r.put("status", "ok");
        r.put("tokens_per_s", tps);
        r.put("pct_of_gemm_peak", 10.0);
    }

    @Test
    void flopsPerTokenFollowsTheDocumentedFormula() {
        BenchSettings s = BenchSettings.defaults();
        // LSTM, H = 128: G = 512; 6*512*(64+128) + 6*64*128
        assertEquals(6L * 512 * 192 + 6L * 64 * 128, s.flopsPerToken("lstm", 128));
        assertEquals(6L * 1536 * 576 + 6L * 64 * 512, s.flopsPerToken("gru", 512));
        assertEquals(6L * 128 * 192 + 6L * 64 * 128, s.flopsPerToken("rnn", 128));
    }

    @Test
    void unknownOptionsAndCellsAreConfigErrors() {
        assertConfigError(run("engine", "--hiden", "8"), "spark-rnn: config error: unknown option '--hiden'; did you "
                + "mean '--hidden'?", "(see spark-rnn bench engine --help)");
        assertConfigError(run("engine", "--cells", "lstm,transformer"), "cell must be one of [lstm, gru, rnn], found "
                + "'transformer'");
        assertConfigError(run("engine", "--impl", "torch-fp16"), "implementation must be one of [ours, ours-bf16, "
                + "dl4j, torch, torch-bf16], found 'torch-fp16'");
        assertConfigError(run("engine", "--repeats", "many"), "--repeats expects a whole number, found 'many'");
        assertConfigError(run("engine", "--target-seconds", "3s"), "--target-seconds expects a number, found '3s'");
        assertConfigError(run("engine", "--json"), "--json needs <file>");
        assertConfigError(run("train"), "unknown command 'train'; commands: engine, spark, scaling");
    }

    /** Each benchmark's --help: exit 0, its usage line and an example; bench alone: the list, exit 2. */
    @Test
    void everyBenchmarkHasHelpWithUsageAndExample() {
        for (String b : new String[] {"engine", "spark", "scaling", "gemm"}) {
            Run r = run(b, "--help");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("\n\nusage: spark-rnn bench " + b + " [--"), r.out());
            assertTrue(r.out().contains("\n  bin/spark-rnn bench " + b + " --json out/bench-" + b + ".json\n"), r.out());
            assertTrue(r.out().contains("  -h, --help"), r.out());
            assertEquals(r.out(), run("help", b).out());
        }
        assertTrue(run("engine", "--help").out().contains("% of GEMM peak"));
        assertTrue(run("spark", "--help").out().contains("(last 10% held out)"));
        Run top = run();
        assertEquals(2, top.code());
        assertTrue(top.out().contains("benchmarks:\n  engine ") && top.out().contains("\n  scaling "), top.out());
        assertEquals(top.out(), run("--help").out());
    }

    record Run(int code, String out, String err) {
    }

    /** {@code bin/spark-rnn bench <args>}, its output and its exit code. */
    static Run run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = BenchMain.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** Exit code 2 and one line on stderr holding every part. */
    static void assertConfigError(Run r, String... parts) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        for (String p : parts) {
            assertTrue(r.err().contains(p), "expected '" + p + "' in: " + r.err());
        }
    }
}
