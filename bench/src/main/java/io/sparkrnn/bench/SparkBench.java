package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.jobs.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code spark-rnn bench spark} and {@code bench scaling}: distributed training of the character LM,
 * each run in its own child JVM ({@link BenchChild}, one OpenMP thread per task), side by side in one command.
 * Prints a table and writes JSON.
 */
public final class SparkBench {
    static final String USAGE = """
            usage: spark-rnn bench spark   [--impl ours,dl4j] [--rounds 8 | --tokens N] [--local-steps 25] [--json f]
                   spark-rnn bench scaling [--rounds 24] [--local-steps 25] [--outer nesterov:0.7:0.9,plain]
                                           [--outer-rounds 10] [--skip-outer] [--json f]
              common: [--hidden 256] [--embedding 32] [--batch 32] [--k 50] [--lr 0.003] [--inner-state average]
                      [--text data/samples/moby-dick/moby-dick.txt] [--eval-lanes 16]

              Character LM on --text (last 10% held out): embedding, LSTM --hidden, linear/softmax output, batch
              --batch lanes per partition, truncated BPTT k1 = k2 = --k, Adam --lr, clip 1.0, averaging every
              --local-steps minibatches, float32, one BLAS thread per task. Validation bits per char of every
              model by one evaluator (each model's own next-token probabilities, state carried, --eval-lanes).

              spark    ours (RoundTrainer, plain averaging) vs dl4j-spark's ParameterAveragingTrainingMaster on
                       local[2] with 2 partitions, same stream cut, same tokens, same averaging period
                       (--tokens: rounds = ceil(tokens / tokens per round)).
              scaling  1 partition on local[1] (--rounds rounds, plain single-worker training) vs 2 partitions on
                       local[2] (up to 1.5x the tokens): throughput ratio and tokens the 2-partition run needs to
                       reach the 1-partition run's final validation bits per char; --outer gives the 2-partition
                       run's outer step, or a comma list of them, each run against the same 1-partition target
                       (plain[:LR] or nesterov[:LR[:MOMENTUM]], e.g. --outer plain,plain:1.5,nesterov:1:0.9),
                       with the ratio had the 1-partition run stopped after each of its rounds;
                       the engine alone in 1 vs 2 threads (the ceiling);
                       and plain averaging vs Nesterov outer (--outer-lr 0.7 --outer-momentum 0.9) at H = 50 on
                       2 partitions for --outer-rounds rounds: rounds to the same validation / training loss.
                       --skip-outer leaves that part out.
              Rates exclude round 1 (replica / network build, JIT); evaluation is not timed.
            """;
    static final List<String> KNOWN = List.of("impl", "rounds", "tokens", "local-steps", "json", "hidden",
            "embedding", "batch", "k", "lr", "inner-state", "text", "eval-lanes", "outer", "outer-rounds", "outer-lr",
            "outer-momentum", "skip-outer", "help");
    static final Set<String> FLAGS = Set.of("help", "skip-outer");
    static final ObjectMapper JSON = EngineBench.JSON;

    private final PrintStream out;

    public SparkBench(PrintStream out) {
        this.out = out;
    }

    /** Runs {@code spark|scaling [options]}; returns the exit code (0 when every run finished). */
    public int run(String[] args) {
        BenchOptions o = BenchOptions.parse(Arrays.copyOfRange(args, 1, args.length), KNOWN, FLAGS);
        if (o.has("help")) {
            out.print(USAGE);
            return 0;
        }
        ObjectNode report = JSON.createObjectNode();
        report.put("benchmark", args[0]);
        report.put("load_average_before", EngineBench.loadAverage());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "bench %s: load average %s, %d cores%n", args[0], EngineBench.loadAverage(),
                Runtime.getRuntime().availableProcessors());
        boolean ok = args[0].equals("spark") ? new SparkComparison(this).run(o, report)
                : new ScalingRuns(this).run(o, report);
        report.put("load_average_after", EngineBench.loadAverage());
        out.printf(Locale.ROOT, "load average before %s, after %s%n", report.get("load_average_before").asText(),
                report.get("load_average_after").asText());
        if (o.has("json")) {
            Path json = Paths.get(o.get("json"));
            try {
                Path parent = json.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                JSON.writeValue(json.toFile(), report);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + json, e);
            }
            out.println("wrote " + json);
        }
        return ok ? 0 : 1;
    }

    /** Settings from the options over {@link SparkBenchSettings#defaults()}. */
    static SparkBenchSettings settings(BenchOptions o) {
        SparkBenchSettings d = SparkBenchSettings.defaults();
        try {
            SparkBenchSettings s = new SparkBenchSettings(o.get("text", d.text()), d.validationFraction(),
                    o.integer("embedding", d.embedding()), o.integer("hidden", d.hidden()),
                    o.integer("batch", d.batch()), o.integer("k", d.k()), o.number("lr", d.lr()), d.clip(),
                    o.integer("local-steps", d.localSteps()), o.integer("rounds", d.rounds()), d.partitions(),
                    o.get("inner-state", d.innerState()), d.outer(), d.outerLr(), d.outerMomentum(), d.evalEvery(),
                    o.integer("eval-lanes", d.evalLanes()), d.seed());
            if (!Files.isRegularFile(Paths.get(s.text()))) {
                throw new ConfigException("--text: no such file " + Paths.get(s.text()).toAbsolutePath());
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
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
