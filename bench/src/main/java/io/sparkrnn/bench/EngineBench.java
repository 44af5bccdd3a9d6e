package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.io.pytorch.PythonTorch;
import io.sparkrnn.jobs.Cli;
import io.sparkrnn.jobs.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spark-rnn bench engine}: times the full training step (forward, backward, clip, Adam; every token
 * trained) of our engine, DL4J and PyTorch on the same settings, each (implementation, cell, hidden, batch,
 * threads) in its own child process, and the ND4J sgemm peak (2048 x 2048) at each thread count in the same run.
 * Prints the tables of {@link EngineReport} and writes JSON.
 *
 * <p>GFLOP/s = tokens/s x {@link BenchSettings#flopsPerToken} (GEMM flops of forward and backward only).
 */
@Command(name = "engine", header = "time the training step: ours, DL4J, PyTorch", synopsisHeading = "%nusage: ",
        customSynopsis = """
                spark-rnn bench engine [--cells lstm,gru,rnn] [--hidden 128,512] [--impl ours,dl4j,torch]
                                              [--repeats 5] [--steps N] [--json out.json] [--batch 32,128] [--seq 100]
                                              [--k 50] [--threads 1,2] [--target-seconds 3]""",
        descriptionHeading = "%n", description = """
                Times the full training step (forward, backward, global clip 1.0, Adam 1e-3; float32) of a language
                model V = 64, E = 64, one layer, B = 32, T = 100, k1 = k2 = 50 on random tokens from a fixed seed;
                median of --repeats timed repeats after 2 warm-up batches. --steps = batches per repeat (default:
                sized by a calibration pass, itself more warm-up, to last about --target-seconds). Each measurement
                (implementation, cell, hidden, batch, threads) runs in its own process with OMP_NUM_THREADS =
                OPENBLAS_NUM_THREADS = MKL_NUM_THREADS = the thread count, except ours:
                  ours   our engine on that many engine threads (batch-parallel row blocks, train.engine-threads)
                         with OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = MKL_NUM_THREADS = 1
                  ours-bf16  (not by default) ours with train.precision = bf16: bf16 matrix products (oneDNN),
                         float32 weights, Adam and cell math; float32 on a CPU without bf16 units (logged)
                  dl4j   DL4J MultiLayerNetwork (no GRU; clips per layer: it has no global-norm clip)
                  torch  bench/src/main/python/torch_rnn.py (also torch.set_num_threads) with a python3 that imports
                         torch (env SPARK_RNN_PYTHON, else python3 on PATH, else /usr/bin/python3)
                  torch-bf16  (not by default) the torch step with forward and loss under
                         torch.autocast("cpu", dtype=torch.bfloat16): bf16 matrix products, float32 weights and Adam;
                         its %% of GEMM peak is still against the float32 sgemm peak
                --batch and --threads take several values. The summary compares each implementation's best thread
                count; %% of GEMM peak is against the ND4J sgemm 2048 peak measured at the same thread count.
                GFLOP/s counts GEMM flops per token: 2*3*G*(E+H) + 2*3*V*H with G = gates*H.""",
        optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
                examples:
                  bin/spark-rnn bench engine --json out/bench-engine.json
                  bin/spark-rnn bench engine --cells lstm --hidden 512 --batch 128 --impl ours,torch --threads 1,2""")
public final class EngineBench implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final Duration CHILD_TIMEOUT = Duration.ofMinutes(30);
    private static final BenchSettings DEFAULTS = BenchSettings.defaults();

    private final PrintStream out;

    @Option(names = "--cells", split = ",", paramLabel = "CELL", description = "lstm, gru, rnn; default all three")
    private List<String> cells = new ArrayList<>(DEFAULTS.cells());
    @Option(names = "--hidden", split = ",", paramLabel = "H", description = "hidden sizes; default 128,512")
    private List<Integer> hiddens = new ArrayList<>(DEFAULTS.hiddens());
    @Option(names = "--impl", split = ",", paramLabel = "IMPL", description = "ours, ours-bf16, dl4j, torch, "
            + "torch-bf16; default "
            + "ours,dl4j,torch")
    private List<String> impls = new ArrayList<>(DEFAULTS.impls());
    @Option(names = "--repeats", paramLabel = "N", description = "timed repeats; default 5")
    private int repeats = DEFAULTS.repeats();
    @Option(names = "--steps", paramLabel = "N", description = "batches per repeat; default 0 = calibrated")
    private int steps = DEFAULTS.steps();
    @Option(names = "--json", paramLabel = "<file>", description = "write the report here")
    private String json;
    @Option(names = "--batch", split = ",", paramLabel = "B", description = "sequences per batch; default 32")
    private List<Integer> batches = new ArrayList<>(DEFAULTS.batches());
    @Option(names = "--seq", paramLabel = "T", description = "sequence length; default 100")
    private int seq = DEFAULTS.seq();
    @Option(names = "--k", paramLabel = "K", description = "truncated BPTT window k1 = k2; default 50")
    private int k = DEFAULTS.k();
    @Option(names = "--threads", split = ",", paramLabel = "N", description = "thread counts; default 1,2")
    private List<Integer> threads = new ArrayList<>(DEFAULTS.threads());
    @Option(names = "--target-seconds", paramLabel = "S", description = "wall time aimed at per repeat when --steps "
            + "is 0; default 3")
    private double targetSeconds = DEFAULTS.targetSeconds();
    @Mixin
    private Cli.HelpOption help;

    EngineBench(PrintStream out) {
        this.out = out;
    }

    /** Measures, prints the tables and writes the JSON; returns the exit code (0 when every measurement ran). */
    @Override
    public Integer call() {
        ObjectNode report = measure(settings());
        String table = EngineReport.table(report);
        out.print(table);
        BenchReport.write(report, json, out);
        boolean failed = false;
        for (JsonNode r : report.get("records")) {
            failed |= r.get("status").asText().equals("failed");
        }
        return failed ? 1 : 0;
    }

    /** The options over {@link BenchSettings#defaults()}; names of cells and implementations in any case. */
    BenchSettings settings() {
        try {
            return new BenchSettings(names(cells), hiddens, names(impls), DEFAULTS.vocab(), DEFAULTS.embedding(),
                    batches, seq, k, DEFAULTS.lr(), DEFAULTS.clip(), repeats, steps, targetSeconds, threads,
                    DEFAULTS.seed());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static List<String> names(List<String> values) {
        return values.stream().map(String::trim).filter(x -> !x.isEmpty()).map(x -> x.toLowerCase(Locale.ROOT))
                .toList();
    }

    /**
     * Runs every measurement: for each cell, hidden size and batch, every implementation at every thread count
     * (thread counts innermost, so that the configurations compared share the machine's load of the moment).
     * The report holds the settings, the GEMM peak per thread count, the load, one record per (implementation,
     * cell, hidden, batch, threads) and the best-against-best summary of {@link EngineReport}.
     */
    ObjectNode measure(BenchSettings s) {
        ObjectNode report = JSON.createObjectNode();
        report.put("benchmark", "engine");
        report.set("settings", JSON.valueToTree(s));
        report.put("data", "uniform random tokens, seed " + s.seed());
        report.put("flops_formula", "per trained token: 2*3*G*(E+H) + 2*3*V*H, G = gates*H (GEMMs of forward"
                + " and backward only)");
        report.put("threads_env", "dl4j, torch and the GEMM peak: OMP_NUM_THREADS = OPENBLAS_NUM_THREADS ="
                + " MKL_NUM_THREADS = threads, PyTorch also torch.set_num_threads(threads); ours: threads engine"
                + " threads (batch-parallel row blocks) with OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = MKL_NUM_THREADS"
                + " = 1");
        report.put("load_average_before", BenchReport.loadAverage());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        CpuInfo cpu = CpuInfo.current();
        report.set("cpu", cpu.json());
        out.printf(Locale.ROOT, "bench engine: load average %s, %d cores%n%s%n", BenchReport.loadAverage(),
                Runtime.getRuntime().availableProcessors(), cpu.line());

        Map<Integer, Double> peaks = new LinkedHashMap<>();
        ObjectNode peakNode = report.putObject("gemm_peak_gflops_by_threads");
        for (int t : s.threads()) {
            double peak = gemmPeak(s, t);
            peaks.put(t, peak);
            peakNode.put(Integer.toString(t), peak);
            out.printf(Locale.ROOT, "ND4J sgemm %dx%d: %.1f GFLOP/s with %d thread(s)%n", BenchChild.GEMM_N,
                    BenchChild.GEMM_N, peak, t);
        }
        boolean torch = s.impls().stream().anyMatch(TorchPeer::runs);
        Optional<String> python = torch ? PythonTorch.find() : Optional.empty();
        if (torch && python.isEmpty()) {
            out.println("PyTorch: skipped (python3 torch not importable)");
        }
        ArrayNode records = report.putArray("records");
        for (String cell : s.cells()) {
            for (int hidden : s.hiddens()) {
                for (int batch : s.batches()) {
                    for (String impl : s.impls()) {
                        for (int t : s.threads()) {
                            records.add(record(s.at(batch, t), impl, cell, hidden, python, peaks.get(t)));
                        }
                    }
                }
            }
        }
        report.set("summary", EngineReport.rate(records));
        report.put("load_average_after", BenchReport.loadAverage());
        return report;
    }

    /** One measurement; {@code s} has a single batch and thread count (see {@link BenchSettings#at}). */
    private ObjectNode record(BenchSettings s, String impl, String cell, int hidden, Optional<String> python,
            double peak) {
        ObjectNode r = JSON.createObjectNode();
        r.put("implementation", impl);
        r.put("cell", cell);
        r.put("hidden", hidden);
        r.put("batch", s.batch());
        r.put("threads", s.threadCount());
        boolean ours = impl.startsWith("ours");
        r.put("engine_threads", ours ? s.threadCount() : 1);
        r.put("blas_threads", ours ? 1 : s.threadCount());
        if (ours) {
            r.put("mode", (s.threadCount() == 1 ? "1 engine thread, BLAS 1 thread"
                    : s.threadCount() + " engine threads (batch-parallel row blocks), BLAS 1 thread")
                    + (impl.equals("ours-bf16") ? ", bf16 products" : ""));
        }
        JsonNode child;
        if (impl.equals("dl4j") && !Dl4jStep.supports(cell)) {
            r.put("status", "n/a");
            r.put("note", "DL4J has no GRU layer");
            return r;
        }
        if (TorchPeer.runs(impl) && python.isEmpty()) {
            r.put("status", "skipped");
            r.put("note", "python3 torch not importable");
            return r;
        }
        try {
            if (TorchPeer.runs(impl)) {
                child = TorchPeer.run(python.get(), impl, s, cell, hidden);
            } else {
                // Ours runs its threads itself; BLAS threads on top of them would oversubscribe the cores.
                child = runJava(List.of("train", impl, cell, Integer.toString(hidden), settingsJson(s)),
                        ours ? 1 : s.threadCount());
            }
        } catch (RuntimeException e) {
            r.put("status", "failed");
            r.put("note", e.getMessage());
            out.printf("%s %s %d failed: %s%n", impl, cell, hidden, e.getMessage());
            return r;
        }
        r.put("status", "ok");
        double tps = child.get("tokens_per_s").asDouble();
        double gflops = tps * s.flopsPerToken(cell, hidden) / 1e9;
        r.put("tokens_per_s", tps);
        r.put("gflops", gflops);
        r.put("gemm_peak_gflops", peak);
        r.put("pct_of_gemm_peak", 100 * gflops / peak);
        r.put("peak_rss_mb", child.get("peak_rss_mb").asDouble());
        r.put("flops_per_token", s.flopsPerToken(cell, hidden));
        r.set("tokens_per_s_repeats", child.get("tokens_per_s_repeats"));
        r.put("batches_per_repeat", child.get("batches_per_repeat").asInt());
        r.put("warmup_batches", child.get("warmup_batches").asInt());
        if (impl.equals("dl4j")) {
            r.put("note", "clip: ClipL2PerLayer 1.0 (DL4J has no global-norm clip)");
        }
        if (child.has("torch_version")) {
            r.put("version", child.get("torch_version").asText());
            r.put("autocast", child.get("autocast").asText());
        }
        out.printf(Locale.ROOT, "  %-10s %-4s H=%-4d B=%-4d threads=%d (%s) %10.0f tokens/s%n", impl, cell, hidden,
                s.batch(), s.threadCount(), ours ? "engine" : "BLAS", tps);
        return r;
    }

    private double gemmPeak(BenchSettings s, int threads) {
        return runJava(List.of("gemm", settingsJson(s.at(s.batches().get(0), threads))), threads)
                .get("gemm_gflops").asDouble();
    }

    /** The child's thread environment: OpenMP (ND4J, PyTorch) and the BLAS libraries get the same count. */
    static Map<String, String> threadEnv(int threads) {
        String t = Integer.toString(threads);
        return Map.of("OMP_NUM_THREADS", t, "OPENBLAS_NUM_THREADS", t, "MKL_NUM_THREADS", t);
    }

    private static String settingsJson(BenchSettings s) {
        try {
            return new ObjectMapper().writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@link BenchChild} in a fresh JVM with this JVM's classpath, heap limit and {@code --add-opens}
     * (plus whitespace-separated options from env {@code SPARK_RNN_BENCH_CHILD_OPTS}, e.g. a JFR recording).
     */
    static JsonNode runJava(List<String> args, int threads) {
        return runJava(args, threads, List.of());
    }

    /** {@link #runJava(List, int)} with {@code jvmOptions} added to the child's JVM options. */
    static JsonNode runJava(List<String> args, int threads, List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("-Xmx") || a.startsWith("-Dlog4j2.configurationFile")) {
                cmd.add(a);
            }
        }
        String extra = System.getenv("SPARK_RNN_BENCH_CHILD_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(Arrays.asList(extra.trim().split("\\s+")));
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BenchChild.class.getName());
        cmd.addAll(args);
        return runChild(cmd, threadEnv(threads), BenchChild.MARKER, CHILD_TIMEOUT);
    }

    /**
     * Runs a child process; returns the JSON after {@code marker} on its stdout (marker "" = the last line). A child
     * still running after {@code timeout} is killed with what it started, and an exception says so. Its output goes
     * to files until it ends: reading a pipe to the end would wait for the child (and for anything it started that
     * holds the pipe) however long it runs.
     */
    static JsonNode runChild(List<String> cmd, Map<String, String> env, String marker, Duration timeout) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("spark-rnn-bench-child");
            Path outFile = dir.resolve("stdout");
            Path errFile = dir.resolve("stderr");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean ended;
            try {
                ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                kill(p);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + cmd, e);
            }
            if (!ended) {
                kill(p);
                throw new IllegalStateException("child timed out after " + timeout.toSeconds() + " s: " + cmd);
            }
            String stdout = Files.readString(outFile, StandardCharsets.UTF_8);
            String err = Files.readString(errFile, StandardCharsets.UTF_8);
            String found = null;
            for (String line : stdout.split("\n")) {
                if (marker.isEmpty() ? line.startsWith("{") : line.startsWith(marker)) {
                    found = line.substring(marker.length());
                }
            }
            if (p.exitValue() != 0 || found == null) {
                throw new IllegalStateException("child exited with " + p.exitValue() + " and no result; stderr tail: "
                        + tail(err + stdout, 1500));
            }
            return JSON.readTree(found);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0), e);
        } finally {
            deleteOutputs(dir);
        }
    }

    /** Kills the child and every process it started (first, so that none is left without its parent). */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.onExit().join();
    }

    /** Deletes the child's output files and their folder. */
    private static void deleteOutputs(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }
}
