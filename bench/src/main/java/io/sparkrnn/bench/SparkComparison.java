package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.jobs.ConfigException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code bench spark}: ours against dl4j-spark on the same partitions, tokens and averaging period. */
final class SparkComparison {
    static final List<String> IMPLS = List.of("ours", "dl4j");
    private final SparkBench bench;

    SparkComparison(SparkBench bench) {
        this.bench = bench;
    }

    boolean run(BenchOptions o, ObjectNode report) {
        SparkBenchSettings s = SparkBench.settings(o);
        if (o.has("tokens")) {
            if (o.has("rounds")) {
                throw new ConfigException("give either --rounds or --tokens, not both");
            }
            long tokens = o.longValue("tokens", 0);
            if (tokens <= 0) {
                throw new ConfigException("--tokens must be positive, found " + tokens);
            }
            s = s.withRounds((int) Math.max(2, (tokens + s.tokensPerRound() - 1) / s.tokensPerRound()));
        }
        List<String> impls = Arrays.stream(o.get("impl", "ours,dl4j").split(",")).map(String::trim).toList();
        for (String i : impls) {
            if (!IMPLS.contains(i)) {
                throw new ConfigException("--impl must list " + IMPLS + ", found '" + i + "'");
            }
        }
        report.set("settings", SparkBench.JSON.valueToTree(s));
        report.put("tokens_budget", s.tokensPerRound() * s.rounds());
        bench.out().printf(Locale.ROOT, "budget: %d rounds x %,d tokens = %,d tokens; H = %d, %d partitions"
                + " on local[%d]"
                + "%n", s.rounds(), s.tokensPerRound(), s.tokensPerRound() * s.rounds(), s.localSteps(),
                s.partitions(), s.partitions());
        ArrayNode records = report.putArray("records");
        for (String impl : impls) {
            records.add(bench.child(impl, impl, s));
        }
        JsonNode ours = null;
        for (JsonNode r : records) {
            if (r.get("implementation").asText().equals("ours") && r.get("status").asText().equals("ok")) {
                ours = r;
            }
        }
        for (JsonNode r : records) {
            if (ours != null && r != ours && r.get("status").asText().equals("ok")) {
                ((ObjectNode) r).put("ratio_ours_over_this", ours.get("tokens_per_s").asDouble()
                        / r.get("tokens_per_s").asDouble());
                ((ObjectNode) r).put("cpu_ratio_ours_over_this", ours.get("tokens_per_cpu_s").asDouble()
                        / r.get("tokens_per_cpu_s").asDouble());
                if (!r.get("valid_bpc").isNull() && !ours.get("valid_bpc").isNull()) {
                    ((ObjectNode) r).put("valid_bpc_this_minus_ours", r.get("valid_bpc").asDouble()
                            - ours.get("valid_bpc").asDouble());
                }
            }
        }
        bench.out().print(table(records));
        return SparkBench.allOk(records);
    }

    static String table(ArrayNode records) {
        StringBuilder b = new StringBuilder();
        String fmt = "%-6s %7s %8s %10s %9s %10s %9s %10s %9s %9s %10s %7s%n";
        b.append(String.format(Locale.ROOT, "%n" + fmt, "impl", "rounds", "tokens", "tokens/s", "ours/this",
                "tok/CPU-s", "ours/this", "s/round", "outside%", "max rnd%", "valid bpc", "RSS MB"));
        for (JsonNode r : records) {
            if (!r.get("status").asText().equals("ok")) {
                b.append(String.format(Locale.ROOT, "%-6s %s: %s%n", r.get("implementation").asText(),
                        r.get("status").asText(), r.path("note").asText()));
                continue;
            }
            b.append(String.format(Locale.ROOT, fmt, r.get("implementation").asText(), r.get("rounds").size(),
                    r.get("tokens").asLong(), String.format(Locale.ROOT, "%.0f", r.get("tokens_per_s").asDouble()),
                    r.has("ratio_ours_over_this") ? String.format(Locale.ROOT, "%.2f",
                            r.get("ratio_ours_over_this").asDouble()) : "",
                    String.format(Locale.ROOT, "%.0f", r.get("tokens_per_cpu_s").asDouble()),
                    r.has("cpu_ratio_ours_over_this") ? String.format(Locale.ROOT, "%.2f",
                            r.get("cpu_ratio_ours_over_this").asDouble()) : "",
                    String.format(Locale.ROOT, "%.2f", r.get("seconds_per_round").asDouble()),
                    String.format(Locale.ROOT, "%.1f", 100 * r.get("outside_share").asDouble()),
                    String.format(Locale.ROOT, "%.1f", 100 * r.get("outside_share_max_round").asDouble()),
                    r.get("valid_bpc").isNull() ? "n/a" : String.format(Locale.ROOT, "%.4f",
                            r.get("valid_bpc").asDouble()),
                    String.format(Locale.ROOT, "%.0f", r.get("peak_rss_mb").asDouble())));
        }
        b.append("rates and shares over rounds 2..; tok/CPU-s = tokens per CPU second of the whole process (robust to"
                + " other load on the machine); outside% = (round wall time - longest task's local training) / round"
                + " wall time\n");
        return b.toString();
    }
}
