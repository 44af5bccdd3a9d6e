package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.jobs.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/**
 * What {@code spark-rnn bench spark} ({@link SparkComparison}) and {@code bench scaling} ({@link ScalingRuns}) share:
 * distributed training of the character LM, each run in its own child JVM ({@link BenchChild}, one OpenMP thread per
 * task), side by side in one command, with a table on the console and a JSON report.
 */
public final class SparkBench {
    /** What both benchmarks train and how they measure it (the start of their help). */
    static final String SETUP = """
            Character LM on --text (last 10%% held out): embedding, LSTM --hidden, linear/softmax output, batch
            --batch lanes per partition, truncated BPTT k1 = k2 = --k, Adam --lr, clip 1.0, averaging every
            --local-steps minibatches, float32, one BLAS thread per task. Validation bits per char of every
            model by one evaluator (each model's own next-token probabilities, state carried, --eval-lanes).
            Rates exclude round 1 (replica / network build, JIT); evaluation is not timed.""";
    static final ObjectMapper JSON = EngineBench.JSON;
    private static final SparkBenchSettings DEFAULTS = SparkBenchSettings.defaults();

    private final PrintStream out;

    SparkBench(PrintStream out) {
        this.out = out;
    }

    /** The options of both benchmarks: the model, the data, the rounds and where the report goes. */
    static final class Options {
        @Option(names = "--text", paramLabel = "<file>", description = "the UTF-8 training text; default the Moby "
                + "Dick sample")
        private String text = DEFAULTS.text();
        @Option(names = "--hidden", paramLabel = "H", description = "LSTM hidden size; default 256")
        private int hidden = DEFAULTS.hidden();
        @Option(names = "--embedding", paramLabel = "E", description = "embedding size; default 32")
        private int embedding = DEFAULTS.embedding();
        @Option(names = "--batch", paramLabel = "B", description = "stream lanes per partition; default 32")
        private int batch = DEFAULTS.batch();
        @Option(names = "--k", paramLabel = "K", description = "truncated BPTT length k1 = k2; default 50")
        private int k = DEFAULTS.k();
        @Option(names = "--lr", paramLabel = "LR", description = "inner Adam learning rate; default 0.003")
        private double lr = DEFAULTS.lr();
        @Option(names = "--inner-state", paramLabel = "reset|keep|average", description = "ours' inner optimizer "
                + "state between rounds; default average (as DL4J)")
        private String innerState = DEFAULTS.innerState();
        @Option(names = "--eval-lanes", paramLabel = "N", description = "lanes of the validation stream; default 16")
        private int evalLanes = DEFAULTS.evalLanes();
        @Option(names = "--local-steps", paramLabel = "H", description = "local steps per partition per round; "
                + "default 25")
        private int localSteps = DEFAULTS.localSteps();
        @Option(names = "--rounds", paramLabel = "N", description = "rounds to train; default 8 (spark), 24 "
                + "(scaling: the 1-partition run's)")
        private Integer rounds;
        @Option(names = "--json", paramLabel = "<file>", description = "write the report here")
        private String json;

        /** Whether --rounds was given. */
        boolean hasRounds() {
            return rounds != null;
        }

        /** The settings over {@link SparkBenchSettings#defaults()}; the text file must exist. */
        SparkBenchSettings settings() {
            try {
                SparkBenchSettings s = new SparkBenchSettings(text, DEFAULTS.validationFraction(), embedding, hidden,
                        batch, k, lr, DEFAULTS.clip(), localSteps, rounds == null ? DEFAULTS.rounds() : rounds,
                        DEFAULTS.partitions(), innerState, DEFAULTS.precision(), DEFAULTS.roundTasks(), DEFAULTS.outer(), DEFAULTS.outerLr(),
                        DEFAULTS.outerMomentum(), DEFAULTS.evalEvery(), evalLanes, DEFAULTS.seed());
                if (!Files.isRegularFile(Paths.get(s.text()))) {
                    throw new ConfigException("--text: no such file " + Paths.get(s.text()).toAbsolutePath());
                }
                return s;
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
        }
    }

    /**
     * Runs benchmark {@code name}: {@code body} fills the report (true when every run finished), framed by the load
     * average before and after; writes the report to --json. Returns the exit code (0 when every run finished).
     */
    int run(String name, Options options, Predicate<ObjectNode> body) {
        ObjectNode report = BenchReport.begin(name, Runtime.getRuntime().availableProcessors() + " cores", out);
        report.put("cores", Runtime.getRuntime().availableProcessors());
        boolean ok = body.test(report);
        BenchReport.end(report, out);
        BenchReport.write(report, options.json, out);
        return ok ? 0 : 1;
    }

    /** One run in a child JVM; the record holds the label, the settings and the child's figures, or the failure. */
    ObjectNode child(String label, String impl, SparkBenchSettings s) {
        ObjectNode r = JSON.createObjectNode();
        r.put("run", label);
        r.put("implementation", impl);
        r.put("partitions", s.partitions());
        r.put("master", "local[" + s.partitions() + "]");
        r.put("local_steps", s.localSteps());
        r.put("rounds_planned", s.rounds());
        r.put("outer", s.outer());
        out.printf(Locale.ROOT, "  running %s (%s, %d partitions, H = %d, %d rounds)...%n", label, impl,
                s.partitions(), s.localSteps(), s.rounds());
        try {
            JsonNode c = EngineBench.runJava(List.of("spark", impl, JSON.writeValueAsString(s)), 1);
            r.put("status", "ok");
            c.fields().forEachRemaining(e -> r.set(e.getKey(), e.getValue()));
            out.printf(Locale.ROOT, "    %,.0f tokens/s, outside local training %.1f%%, valid %s bits/char%n",
                    r.get("tokens_per_s").asDouble(), 100 * r.get("outside_share").asDouble(),
                    r.get("valid_bpc").isNull() ? "n/a" : String.format(Locale.ROOT, "%.4f",
                            r.get("valid_bpc").asDouble()));
        } catch (IOException | RuntimeException e) {
            r.put("status", "failed");
            r.put("note", e.getMessage());
            out.printf("    failed: %s%n", e.getMessage());
        }
        r.set("settings", JSON.valueToTree(s));
        return r;
    }

    PrintStream out() {
        return out;
    }

    static boolean allOk(ArrayNode records) {
        for (JsonNode r : records) {
            if (!r.get("status").asText().equals("ok")) {
                return false;
            }
        }
        return true;
    }
}
