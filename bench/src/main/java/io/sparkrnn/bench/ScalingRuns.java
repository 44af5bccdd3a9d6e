package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.jobs.Cli;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench scaling}: 1 partition on local[1] vs 2 on local[2] (throughput and tokens to the same validation
 * bits per char), the engine alone in 1 vs 2 threads (the hardware's ceiling), and plain averaging vs Nesterov
 * outer at H = 50 (rounds to the same loss). Every validation is by {@link StreamEvaluator}, after every round.
 */
@Command(name = "scaling", header = "1 vs 2 partitions, and Nesterov vs plain averaging", synopsisHeading = "%nusage: ",
        customSynopsis = """
                spark-rnn bench scaling [--rounds 24] [--local-steps 25] [--outer nesterov:0.7:0.9,plain]
                                               [--outer-rounds 10] [--outer-lr 0.7] [--outer-momentum 0.9] [--skip-outer]
                                               [--json f] [--hidden 256] [--embedding 32] [--batch 32] [--k 50] [--lr 0.003]
                                               [--inner-state average] [--text data/samples/moby-dick/moby-dick.txt]
                                               [--eval-lanes 16]""",
        descriptionHeading = "%n", description = SparkBench.SETUP + "\n" + """
                1 partition on local[1] (--rounds rounds, plain single-worker training) vs 2 partitions on local[2] (up
                to 1.5x the tokens): throughput ratio and tokens the 2-partition run needs to reach the 1-partition
                run's final validation bits per char; --outer gives the 2-partition run's outer step, or a comma list
                of them, each run against the same 1-partition target (plain[:LR] or nesterov[:LR[:MOMENTUM]], e.g.
                --outer plain,plain:1.5,nesterov:1:0.9), with the ratio had the 1-partition run stopped after each of
                its rounds; the engine alone in 1 vs 2 threads (the ceiling); and plain averaging vs Nesterov outer
                (--outer-lr 0.7 --outer-momentum 0.9) at H = 50 on 2 partitions for --outer-rounds rounds: rounds to
                the same validation / training loss. --skip-outer leaves that part out.""",
        optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
                examples:
                  bin/spark-rnn bench scaling --json out/bench-scaling.json
                  bin/spark-rnn bench scaling --rounds 12 --skip-outer --outer plain,plain:1.5,nesterov:1:0.9""")
final class ScalingRuns implements Callable<Integer> {
    static final int OUTER_H = 50;
    /**
     * The 1-partition budget when --rounds is not given: 24 rounds (960,000 tokens, 2.3 epochs of the sample). The
     * tokens ratio falls with the budget (the 2-partition run takes half the steps per token, which costs most
     * early in training, where progress is limited by steps and not by gradient noise): about 1.45 after 12.
     */
    static final int DEFAULT_ROUNDS = 24;
    /**
     * The 2-partition runs when --outer is not given: the recommended Nesterov outer step (lr 0.7, momentum 0.9,
     * DiLoCo's) and plain averaging for comparison.
     */
    static final String DEFAULT_OUTER = "nesterov:0.7:0.9,plain";
    private final SparkBench bench;

    @Mixin
    private SparkBench.Options options;
    @Option(names = "--outer", paramLabel = "SPEC[,SPEC...]", description = "the 2-partition runs' outer steps, "
            + "plain[:LR] or nesterov[:LR[:MOMENTUM]]; default " + DEFAULT_OUTER)
    private String outer = DEFAULT_OUTER;
    @Option(names = "--outer-rounds", paramLabel = "N", description = "rounds of the H = 50 comparison; default 10")
    private int outerRounds = 10;
    @Option(names = "--outer-lr", paramLabel = "LR", description = "its Nesterov outer learning rate; default 0.7")
    private double outerLr = OuterSpec.NESTEROV_LR;
    @Option(names = "--outer-momentum", paramLabel = "M", description = "its Nesterov momentum; default 0.9")
    private double outerMomentum = OuterSpec.NESTEROV_MOMENTUM;
    @Option(names = "--skip-outer", description = "leave the H = 50 comparison out")
    private boolean skipOuter;
    @Mixin
    private Cli.HelpOption help;

    ScalingRuns(SparkBench bench) {
        this.bench = bench;
    }

    @Override
    public Integer call() {
        return bench.run("scaling", options, this::run);
    }

    private boolean run(ObjectNode report) {
        SparkBenchSettings base = options.settings().withEvalEvery(1);
        if (!options.hasRounds()) {
            base = base.withRounds(DEFAULT_ROUNDS);
        }
        List<OuterSpec> candidates = OuterSpec.parseList("outer", outer);
        report.set("settings", SparkBench.JSON.valueToTree(base));
        ArrayNode records = report.putArray("records");
        boolean ok = ceiling(base, report);

        // The 1-partition run is the plain single-worker job whatever the 2-partition run's outer step.
        SparkBenchSettings one = base.withPartitions(1).withOuter("plain", 1.0, 0.0);
        SparkBenchSettings two = base.withPartitions(2).withRounds(Math.max(2, (3 * base.rounds() + 3) / 4));
        ObjectNode r1 = bench.child("1 partition, local[1]", "ours", one);
        records.add(r1);
        ObjectNode scaling = report.putObject("scaling");
        ArrayNode table = scaling.putArray("candidates");
        for (OuterSpec c : candidates) {
            ObjectNode r2 = bench.child("2 partitions, local[2], outer " + c.label(), "ours", c.applyTo(two));
            records.add(r2);
            if (ok(r1) && ok(r2)) {
                if (table.isEmpty()) {
                    throughput(r1, r2, report, scaling);
                }
                table.add(tokensToTarget(r1, r2, c));
            } else {
                ok = false;
            }
        }
        if (!skipOuter) {
            ok &= outer(base, records, report);
        }
        return ok && SparkBench.allOk(records);
    }

    private void throughput(ObjectNode r1, ObjectNode r2, ObjectNode report, ObjectNode scaling) {
        double ratio = r2.get("tokens_per_s").asDouble() / r1.get("tokens_per_s").asDouble();
        scaling.put("throughput_ratio", ratio);
        scaling.put("cpu_efficiency_2_over_1", r2.get("tokens_per_cpu_s").asDouble()
                / r1.get("tokens_per_cpu_s").asDouble());
        bench.out().printf(Locale.ROOT, "%nscaling 1 -> 2 partitions: %.0f -> %.0f tokens/s = %.2fx"
                + " (target >= 1.8x;"
                + " engine alone in 2 threads: %s)%n", r1.get("tokens_per_s").asDouble(),
                r2.get("tokens_per_s").asDouble(), ratio, report.has("ceiling_ratio")
                        ? String.format(Locale.ROOT, "%.2fx", report.get("ceiling_ratio").asDouble()) : "n/a");
        bench.out().printf(Locale.ROOT, "outside local training per round: %.1f%% (1 partition), %.1f%% (2); tokens"
                + " per CPU second %.0f vs %.0f (2 partitions do %.2fx the work per token)%n",
                100 * r1.get("outside_share").asDouble(), 100 * r2.get("outside_share").asDouble(),
                r1.get("tokens_per_cpu_s").asDouble(), r2.get("tokens_per_cpu_s").asDouble(),
                r1.get("tokens_per_cpu_s").asDouble() / r2.get("tokens_per_cpu_s").asDouble());
        scaling.put("target_valid_bpc", r1.get("valid_bpc").asDouble());
        scaling.put("tokens_1_partition", r1.get("tokens").asLong());
    }

    /** Tokens the 2-partition run {@code r2} needs to reach the 1-partition run's final validation bits per char. */
    private ObjectNode tokensToTarget(ObjectNode r1, ObjectNode r2, OuterSpec c) {
        double target = r1.get("valid_bpc").asDouble();
        double reach = tokensToReach(r2.get("rounds"), "valid_bpc", target);
        ObjectNode row = SparkBench.JSON.createObjectNode();
        row.put("outer", c.label());
        putNumber(row, "tokens_2_partitions_to_target", reach);
        putNumber(row, "tokens_ratio", reach / r1.get("tokens").asDouble());
        row.put("tokens_2_partitions", r2.get("tokens").asLong());
        row.put("final_valid_bpc", r2.get("valid_bpc").asDouble());
        ArrayNode byBudget = ratiosByBudget(r1.get("rounds"), r2.get("rounds"));
        row.set("ratio_by_budget", byBudget);
        bench.out().printf(Locale.ROOT, "1 partition: %.4f bits/char after %,d tokens; 2 partitions (outer %s) reach"
                + " it after %s (target <= 1.25x); their final %.4f after %,d tokens%n", target,
                r1.get("tokens").asLong(), c.label(), Double.isNaN(reach)
                        ? "more than " + r2.get("tokens").asLong() + " tokens (not reached)"
                        : String.format(Locale.ROOT, "%,.0f tokens = %.2fx", reach,
                                reach / r1.get("tokens").asDouble()),
                r2.get("valid_bpc").asDouble(), r2.get("tokens").asLong());
        StringBuilder line = new StringBuilder();
        for (JsonNode b : byBudget) {
            line.append(String.format(Locale.ROOT, " %d:%s", b.get("round").asInt(), b.get("tokens_ratio").isNull()
                    ? "-" : String.format(Locale.ROOT, "%.2f", b.get("tokens_ratio").asDouble())));
        }
        bench.out().println("  tokens ratio had the 1-partition run stopped after round n (n:ratio):" + line);
        return row;
    }

    /**
     * For every validated round n of the 1-partition run: the tokens the 2-partition run needs to reach the
     * 1-partition run's validation after n rounds, over the 1-partition tokens by then (null when not reached),
     * i.e. the tokens ratio had the 1-partition budget been n rounds; the ratio depends on the budget.
     */
    static ArrayNode ratiosByBudget(JsonNode rounds1, JsonNode rounds2) {
        ArrayNode out = SparkBench.JSON.createArrayNode();
        for (JsonNode r : rounds1) {
            if (r.get("valid_bpc") == null || r.get("valid_bpc").isNull()) {
                continue;
            }
            double target = r.get("valid_bpc").asDouble();
            double reach = tokensToReach(rounds2, "valid_bpc", target);
            ObjectNode b = out.addObject();
            b.put("round", r.get("round").asInt());
            b.put("tokens_1_partition", r.get("tokens_cumulative").asLong());
            b.put("valid_bpc", target);
            putNumber(b, "tokens_2_partitions", reach);
            putNumber(b, "tokens_ratio", reach / r.get("tokens_cumulative").asDouble());
        }
        return out;
    }

    /** The engine alone (no Spark) in 1 and 2 threads on the same partitions: the ceiling of the ratio. */
    private boolean ceiling(SparkBenchSettings s, ObjectNode report) {
        int steps = 2 * s.localSteps();
        try {
            String js = SparkBench.JSON.writeValueAsString(s);
            double one = EngineBench.runJava(List.of("ceiling", "1", Integer.toString(steps), js), 1)
                    .get("tokens_per_s").asDouble();
            double two = EngineBench.runJava(List.of("ceiling", "2", Integer.toString(steps), js), 1)
                    .get("tokens_per_s").asDouble();
            report.put("ceiling_tokens_per_s_1_thread", one);
            report.put("ceiling_tokens_per_s_2_threads", two);
            report.put("ceiling_ratio", two / one);
            bench.out().printf(Locale.ROOT, "engine alone (no Spark), %d steps per thread: 1 thread %.0f tokens/s,"
                    + " 2 threads"
                    + " %.0f tokens/s = %.2fx%n", steps, one, two, two / one);
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            report.put("ceiling_note", "failed: " + e.getMessage());
            bench.out().println("engine ceiling failed: " + e.getMessage());
            return false;
        }
    }

    private boolean outer(SparkBenchSettings base, ArrayNode records, ObjectNode report) {
        SparkBenchSettings plain = base.withPartitions(2).withLocalSteps(OUTER_H).withRounds(outerRounds);
        SparkBenchSettings nesterov = plain.withOuter("nesterov", outerLr, outerMomentum);
        ObjectNode p = bench.child("plain averaging, H = 50", "ours", plain);
        ObjectNode n = bench.child("nesterov outer, H = 50", "ours", nesterov);
        records.add(p);
        records.add(n);
        if (!ok(p) || !ok(n)) {
            return false;
        }
        ObjectNode c = report.putObject("outer");
        int rounds = p.get("rounds").size();
        JsonNode last = p.get("rounds").get(rounds - 1);
        double validTarget = last.get("valid_bpc").asDouble();
        double trainTarget = last.get("train_loss").asDouble();
        double nValid = roundsToReach(n.get("rounds"), "valid_bpc", validTarget);
        double nTrain = roundsToReach(n.get("rounds"), "train_loss", trainTarget);
        double pTrain = roundsToReach(p.get("rounds"), "train_loss", trainTarget);
        c.put("rounds", rounds);
        c.put("plain_final_valid_bpc", validTarget);
        c.put("nesterov_final_valid_bpc", n.get("valid_bpc").asDouble());
        c.put("plain_final_train_loss", trainTarget);
        putNumber(c, "nesterov_rounds_to_plain_final_valid", nValid);
        putNumber(c, "nesterov_rounds_to_plain_final_train_loss", nTrain);
        putNumber(c, "plain_rounds_to_plain_final_train_loss", pTrain);
        bench.out().printf(Locale.ROOT, "%nouter step at H = %d, %d rounds: plain %.4f bits/char, nesterov"
                + " (lr %s, momentum %s)"
                + " %.4f; nesterov reaches plain's final validation after %s rounds, its final training loss %.4f"
                + " after %s (plain: %s)%n", OUTER_H, rounds, validTarget, nesterov.outerLr(),
                nesterov.outerMomentum(), n.get("valid_bpc").asDouble(), fmt(nValid), trainTarget, fmt(nTrain),
                fmt(pTrain));
        return true;
    }

    /**
     * Cumulative tokens at which {@code key} first falls to {@code target}, linear between evaluated rounds
     * (the first evaluated round itself when it is already there); NaN when never reached.
     */
    static double tokensToReach(JsonNode rounds, String key, double target) {
        return reach(rounds, key, target, true);
    }

    /** Rounds (fractional, linear between rounds) until {@code key} first falls to {@code target}; NaN if never. */
    static double roundsToReach(JsonNode rounds, String key, double target) {
        return reach(rounds, key, target, false);
    }

    private static double reach(JsonNode rounds, String key, double target, boolean tokens) {
        double prevX = Double.NaN;
        double prevY = Double.NaN;
        for (JsonNode r : rounds) {
            if (r.get(key) == null || r.get(key).isNull()) {
                continue;
            }
            double x = tokens ? r.get("tokens_cumulative").asDouble() : r.get("round").asDouble();
            double y = r.get(key).asDouble();
            if (y <= target) {
                if (Double.isNaN(prevX) || prevY == y) {
                    return x;
                }
                return prevX + (x - prevX) * (prevY - target) / (prevY - y);
            }
            prevX = x;
            prevY = y;
        }
        return Double.NaN;
    }

    private static boolean ok(JsonNode r) {
        return r.get("status").asText().equals("ok");
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "not reached" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }
}
