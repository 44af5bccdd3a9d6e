package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.round.RoundConfig;
import io.sparkrnn.jobs.Cli;
import io.sparkrnn.jobs.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench rounds}: what a round costs outside local training, and the bytes it moves, as the partitions and the
 * parameters grow; a cost model fitted to those figures ({@link CostModel}) and its estimate for a cluster.
 */
@Command(name = "rounds", header = "round overhead and bytes by partitions and model size; a fitted cost model",
        synopsisHeading = "%nusage: ", customSynopsis = """
                spark-rnn bench rounds [--partitions 2,8,32,64] [--hidden 470,1560] [--rounds 4] [--cores 2]
                                              [--batch 2] [--k 8] [--local-steps 1] [--embedding 32]
                                              [--executors 256] [--link-gbit 10] [--max-replicated 400000000]
                                              [--json f] [--text f]""",
        descriptionHeading = "%n", description = """
                A character LM (embedding, one LSTM layer of --hidden units, linear/softmax output) trained by the
                driver's round loop on local[--cores] with each of --partitions partitions, for each --hidden (470 and
                1560 give about 1 M and 10 M parameters on the Moby Dick sample), each run in its own JVM: plain SGD
                inner steps (no inner state to ship) on --batch lanes of --k steps, --local-steps per round, so local
                training is short and the rest of the round is what is measured. Per round: seconds outside local
                training (the round's wall time less the longest task's inner steps), the bytes the driver receives
                (Spark's task result sizes), broadcasts (the stored pieces of every broadcast) and the bytes shuffled
                between tasks by the aggregation tree, and the CPU seconds of a training task and of an aggregation
                task per input (Spark's task metrics). Round 1 (replica build, JIT) is not fitted; each figure is the
                median of the other rounds. A least-squares fit T(P, N) = a + b P + c N + d P N to the medians, its
                residuals, lines through the tasks' CPU seconds by N, and an estimate for --executors executors (one
                partition each) on --link-gbit links. Runs with P x N above --max-replicated are skipped: all P
                replicas live in one JVM here. Every round is its own Spark job (train.round-tasks = per-round), the
                protocol this models, at every P.""",
        optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
                examples:
                  bin/spark-rnn bench rounds --json out/bench-rounds.json
                  bin/spark-rnn bench rounds --partitions 2,4 --hidden 64,128 --rounds 3""")
final class RoundCost implements Callable<Integer> {
    private static final double MB = 1e6;
    /** A bound on a text's character vocabulary, for the parameter count before reading it (the skip rule). */
    private static final int VOCABULARY_BOUND = 128;

    private final PrintStream out;

    @Option(names = "--partitions", split = ",", paramLabel = "P[,P...]", description = "partition counts; default "
            + "2,8,32,64")
    private List<Integer> partitions = List.of(2, 8, 32, 64);
    @Option(names = "--hidden", split = ",", paramLabel = "H[,H...]", description = "LSTM hidden sizes; default "
            + "470,1560 (about 1 M and 10 M parameters)")
    private List<Integer> hidden = List.of(470, 1560);
    @Option(names = "--embedding", paramLabel = "E", description = "embedding size; default 32")
    private int embedding = 32;
    @Option(names = "--rounds", paramLabel = "N", description = "rounds per run, the first not fitted; default 4")
    private int rounds = 4;
    @Option(names = "--cores", paramLabel = "C", description = "local cores, local[C]; default 2")
    private int cores = 2;
    @Option(names = "--batch", paramLabel = "B", description = "stream lanes per partition; default 2")
    private int batch = 2;
    @Option(names = "--k", paramLabel = "K", description = "truncated BPTT length; default 8")
    private int k = 8;
    @Option(names = "--local-steps", paramLabel = "H", description = "inner steps per round; default 1")
    private int localSteps = 1;
    @Option(names = "--executors", paramLabel = "E", description = "executors of the cluster estimate; default 256")
    private int executors = 256;
    @Option(names = "--link-gbit", paramLabel = "G", description = "its links' rate in Gbit/s; default 10")
    private double linkGbit = 10;
    @Option(names = "--max-replicated", paramLabel = "PN", description = "skip runs whose partitions x parameters "
            + "exceed this: one JVM holds every partition's replica, 22-27 bytes per parameter for an LSTM "
            + "(7-8.6 GB at 32 x 10 M); default 400000000")
    private long maxReplicated = 400_000_000L;
    @Option(names = "--text", paramLabel = "<file>", description = "the UTF-8 training text; default the Moby Dick "
            + "sample")
    private String text = SparkBenchSettings.defaults().text();
    @Option(names = "--json", paramLabel = "<file>", description = "write the report here")
    private String json;
    @Mixin
    private Cli.HelpOption help;

    RoundCost(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        if (!Files.isRegularFile(Paths.get(text))) {
            throw new ConfigException("--text: no such file " + Paths.get(text).toAbsolutePath());
        }
        if (rounds < 2) {
            throw new ConfigException("--rounds must be at least 2 (the first is not fitted), found " + rounds);
        }
        ObjectNode report = BenchReport.begin("rounds", "local[" + cores + "]", out);
        report.put("cores", cores);
        report.put("embedding", embedding);
        report.put("batch", batch);
        report.put("k", k);
        report.put("local_steps", localSteps);
        report.put("rounds_per_run", rounds);
        ArrayNode runs = report.putArray("runs");
        List<CostModel.Point> points = new ArrayList<>();
        boolean ok = true;
        for (int h : hidden) {
            for (int p : partitions) {
                RoundCostRun run = new RoundCostRun(text, embedding, h, p, cores, batch, k, localSteps, rounds, 1234);
                ObjectNode r = runs.addObject();
                r.put("hidden", h);
                r.put("partitions", p);
                long replicated = (long) p * run.spec(VOCABULARY_BOUND).layout().size();
                if (replicated > maxReplicated) {
                    r.put("status", "skipped");
                    r.put("note", "P x N = " + replicated + " above --max-replicated " + maxReplicated);
                    out.printf(Locale.ROOT, "  hidden %d, %d partitions: skipped (P x N = %,d above --max-replicated)%n",
                            h, p, replicated);
                    continue;
                }
                try {
                    JsonNode c = EngineBench.runJava(List.of("rounds", SparkBench.JSON.writeValueAsString(run)), 1,
                            NATIVE_UNCAPPED);
                    r.put("status", "ok");
                    summarize(c, r);
                    out.printf(Locale.ROOT, "  hidden %d (%,d parameters), %d partitions: %.3f s outside local "
                            + "training, driver receives %.1f MB, broadcasts %.1f MB%n", h,
                            r.get("parameters").asLong(), p, r.get("seconds_outside").asDouble(),
                            r.get("bytes_received").asDouble() / MB, r.get("bytes_broadcast").asDouble() / MB);
                    points.add(new CostModel.Point(p, r.get("parameters").asLong(), r.get("seconds_outside")
                            .asDouble()));
                } catch (IOException | RuntimeException e) {
                    ok = false;
                    r.put("status", "failed");
                    r.put("note", e.getMessage());
                    out.printf("  hidden %d, %d partitions: failed: %s%n", h, p, e.getMessage());
                }
            }
        }
        printTable(runs);
        try {
            model(CostModel.fit(points), points, runs, report);
        } catch (IllegalArgumentException e) {
            out.println("no cost model: " + e.getMessage());
        }
        BenchReport.end(report, out);
        BenchReport.write(report, json, out);
        return ok ? 0 : 1;
    }

    /**
     * Each run's replicas (P of them, parameters and gradients each) live in one JVM here; JavaCPP would otherwise
     * cap them at the heap's size.
     */
    private static final List<String> NATIVE_UNCAPPED = List.of("-Dorg.bytedeco.javacpp.maxbytes=0",
            "-Dorg.bytedeco.javacpp.maxphysicalbytes=0");

    /** The child's rounds, and their medians over rounds 2.. into {@code r}. */
    static void summarize(JsonNode child, ObjectNode r) {
        r.put("parameters", child.get("parameters").asLong());
        r.set("rounds", child.get("rounds"));
        r.put("peak_rss_mb", child.get("peak_rss_mb").asDouble());
        JsonNode rounds = child.get("rounds");
        for (String[] f : new String[][] {{"secondsTotal", "seconds_total"}, {"secondsLocal", "seconds_local"},
                {"received", "bytes_received"}, {"broadcast", "bytes_broadcast"}, {"shuffled", "bytes_shuffled"},
                {"tasks", "tasks"}}) {
            r.put(f[1], medianAfterFirst(rounds, f[0]));
        }
        for (String[] f : new String[][] {{"cpuPerTrainingTask", "cpu_per_training_task"},
                {"cpuPerAggregationInput", "cpu_per_aggregation_input"}}) {
            double m = medianAfterFirst(rounds, f[0]);
            if (Double.isFinite(m)) {
                r.put(f[1], m);
            } else {
                r.putNull(f[1]);
            }
        }
        double[] outside = new double[rounds.size() - 1];
        for (int i = 1; i < rounds.size(); i++) {
            JsonNode o = rounds.get(i);
            outside[i - 1] = Math.max(0, o.get("secondsTotal").asDouble() - o.get("secondsLocal").asDouble());
        }
        r.put("seconds_outside", Timing.median(outside));
    }

    /** The median of {@code field} over rounds 2.. (round 1 builds the replicas and warms the JIT). */
    private static double medianAfterFirst(JsonNode rounds, String field) {
        double[] v = new double[rounds.size() - 1];
        for (int i = 1; i < rounds.size(); i++) {
            v[i - 1] = rounds.get(i).get(field).asDouble();
        }
        return Timing.median(v);
    }

    private void printTable(ArrayNode runs) {
        out.println();
        BenchReport.tableHeader(out, "parameters", "partitions", "outside s", "local s", "round s",
                "driver receives MB", "driver broadcasts MB", "shuffled MB", "tasks", "CPU s per training task",
                "CPU s per aggregation input", "peak RSS MB");
        for (JsonNode r : runs) {
            if (!r.get("status").asText().equals("ok")) {
                continue;
            }
            JsonNode agg = r.get("cpu_per_aggregation_input");
            out.printf(Locale.ROOT, "| %,d | %d | %.3f | %.3f | %.3f | %.1f | %.1f | %.1f | %.0f | %.3f | %s | %.0f |%n",
                    r.get("parameters").asLong(), r.get("partitions").asInt(), r.get("seconds_outside").asDouble(),
                    r.get("seconds_local").asDouble(), r.get("seconds_total").asDouble(),
                    r.get("bytes_received").asDouble() / MB, r.get("bytes_broadcast").asDouble() / MB,
                    r.get("bytes_shuffled").asDouble() / MB, r.get("tasks").asDouble(),
                    r.get("cpu_per_training_task").asDouble(),
                    agg.isNull() ? "" : String.format(Locale.ROOT, "%.3f", agg.asDouble()), r.get("peak_rss_mb").asDouble());
        }
    }

    private void model(CostModel m, List<CostModel.Point> points, ArrayNode runs, ObjectNode report) {
        out.println();
        out.println("fit: " + m.describe());
        ObjectNode fit = report.putObject("fit");
        fit.put("a", m.a());
        fit.put("b", m.b());
        fit.put("c", m.c());
        fit.put("d", m.d());
        fit.put("rms_residual", m.rmsResidual());
        BenchReport.tableHeader(out, "parameters", "partitions", "measured s", "fitted s", "residual s");
        ArrayNode res = fit.putArray("points");
        for (CostModel.Point p : points) {
            double f = m.seconds(p.partitions(), p.parameters());
            out.printf(Locale.ROOT, "| %,d | %d | %.3f | %.3f | %+.3f |%n", p.parameters(), p.partitions(),
                    p.seconds(), f, p.seconds() - f);
            ObjectNode o = res.addObject();
            o.put("parameters", p.parameters());
            o.put("partitions", p.partitions());
            o.put("measured", p.seconds());
            o.put("fitted", f);
        }
        List<Long> taskN = new ArrayList<>();
        List<Double> taskCpu = new ArrayList<>();
        List<Long> inputN = new ArrayList<>();
        List<Double> inputCpu = new ArrayList<>();
        for (JsonNode r : runs) {
            if (r.get("status").asText().equals("ok")) {
                taskN.add(r.get("parameters").asLong());
                taskCpu.add(r.get("cpu_per_training_task").asDouble());
                if (!r.get("cpu_per_aggregation_input").isNull()) {
                    inputN.add(r.get("parameters").asLong());
                    inputCpu.add(r.get("cpu_per_aggregation_input").asDouble());
                }
            }
        }
        CostModel.ExecutorCost tasks = CostModel.ExecutorCost.fit(taskN.stream().mapToLong(Long::longValue).toArray(),
                taskCpu.stream().mapToDouble(Double::doubleValue).toArray(),
                inputN.stream().mapToLong(Long::longValue).toArray(),
                inputCpu.stream().mapToDouble(Double::doubleValue).toArray());
        out.printf(Locale.ROOT, "%nexecutors' CPU: a training task %.4g s + %.4g s * N; an aggregation task %.4g s + "
                + "%.4g s * N per input%n", tasks.taskFixed(), tasks.taskPerParameter(), tasks.inputFixed(),
                tasks.inputPerParameter());
        report.set("executor_cpu", SparkBench.JSON.valueToTree(tasks));
        int fanIn = RoundConfig.defaults(1).aggregationFanIn();
        double bytesPerSecond = linkGbit * 1e9 / 8;
        out.println();
        out.printf(Locale.ROOT, "estimate for %d executors, one partition each, %.0f Gbit/s links, fan-in %d:%n",
                executors, linkGbit, fanIn);
        BenchReport.tableHeader(out, "parameters", "tree levels", "driver s", "executors' critical path s",
                "network s", "round overhead s");
        ArrayNode est = report.putArray("cluster_estimate");
        for (long n : points.stream().mapToLong(CostModel.Point::parameters).distinct().sorted().toArray()) {
            CostModel.ClusterEstimate e = m.cluster(tasks, executors, n, fanIn, bytesPerSecond);
            out.printf(Locale.ROOT, "| %,d | %d | %.3f | %.3f | %.3f | %.3f |%n", n, e.levels(), e.driver(),
                    e.compute(), e.network(), e.total());
            est.add(SparkBench.JSON.valueToTree(e));
        }
        report.put("executors", executors);
        report.put("link_gbit", linkGbit);
        report.put("fan_in", fanIn);
    }
}
