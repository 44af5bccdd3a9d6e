package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Ratios and tables of {@code bench engine}. A peer is judged by its best thread count: on a small machine more
 * threads can be slower at these sizes (thread start-up and oversubscription), so comparing every peer at one
 * fixed count would handicap some of them.
 */
final class EngineReport {
    private EngineReport() {
    }

    /**
     * Adds to each measured record {@code ratio_ours_same_threads_over_this} (our tokens/s at its thread count over
     * its tokens/s) and {@code best_of_implementation}, and returns the summary: one entry per (cell, hidden,
     * batch) with each implementation's best tokens/s, the thread count it was reached at, and
     * {@code ratio_ours_best_over_this_best}.
     */
    static ArrayNode rate(ArrayNode records) {
        Map<String, List<ObjectNode>> groups = new LinkedHashMap<>();
        for (JsonNode r : records) {
            groups.computeIfAbsent(r.get("cell").asText() + "/" + r.get("hidden").asInt() + "/" + r.get("batch").asInt(),
                    g -> new ArrayList<>()).add((ObjectNode) r);
        }
        ArrayNode summary = EngineBench.JSON.createArrayNode();
        for (List<ObjectNode> group : groups.values()) {
            Map<String, ObjectNode> best = new LinkedHashMap<>();
            Map<Integer, Double> oursAt = new LinkedHashMap<>();
            for (ObjectNode r : group) {
                if (!ok(r)) {
                    continue;
                }
                String impl = r.get("implementation").asText();
                if (!best.containsKey(impl) || tps(r) > tps(best.get(impl))) {
                    best.put(impl, r);
                }
                if (impl.equals("ours")) {
                    oursAt.put(r.get("threads").asInt(), tps(r));
                }
            }
            for (ObjectNode r : group) {
                if (!ok(r)) {
                    continue;
                }
                r.put("best_of_implementation", best.get(r.get("implementation").asText()) == r);
                Double ours = oursAt.get(r.get("threads").asInt());
                if (ours != null) {
                    r.put("ratio_ours_same_threads_over_this", ours / tps(r));
                }
            }
            ObjectNode first = group.get(0);
            ObjectNode line = summary.addObject();
            line.put("cell", first.get("cell").asText());
            line.put("hidden", first.get("hidden").asInt());
            line.put("batch", first.get("batch").asInt());
            for (ObjectNode r : group) {
                String impl = r.get("implementation").asText();
                if (line.has(impl)) {
                    continue;
                }
                ObjectNode b = best.get(impl);
                ObjectNode e = line.putObject(impl);
                if (b == null) {
                    e.put("status", r.get("status").asText());
                    continue;
                }
                e.put("best_tokens_per_s", tps(b));
                e.put("best_threads", b.get("threads").asInt());
                e.put("pct_of_gemm_peak", b.get("pct_of_gemm_peak").asDouble());
                if (best.containsKey("ours")) {
                    e.put("ratio_ours_best_over_this_best", tps(best.get("ours")) / tps(b));
                }
            }
        }
        return summary;
    }

    private static boolean ok(JsonNode r) {
        return r.get("status").asText().equals("ok");
    }

    private static double tps(JsonNode r) {
        return r.get("tokens_per_s").asDouble();
    }

    /** The CPU line ({@link CpuInfo}), every record, then the best-against-best summary. */
    static String table(JsonNode report) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n%s%n", CpuInfo.line(report.get("cpu"))));
        b.append(String.format(Locale.ROOT, "GEMM peak (ND4J sgemm 2048) by threads: %s GFLOP/s; load average"
                + " before %s, after %s%n", report.get("gemm_peak_gflops_by_threads"),
                report.get("load_average_before").asText(), report.get("load_average_after").asText()));
        b.append("all configurations (* = the implementation's best thread count; threads are engine threads with"
                + " BLAS at 1 thread for ours (batch-parallel row blocks), BLAS/OpenMP threads for the others;"
                + " % of the GEMM peak at the same thread count):\n");
        String fmt = "%-10s %-5s %6s %5s %7s %6s %11s %8s %7s %7s %14s%n";
        b.append(String.format(Locale.ROOT, fmt, "impl", "cell", "hidden", "batch", "threads", "BLAS", "tokens/s",
                "GFLOP/s", "% peak", "RSS MB", "ours/this@thr"));
        for (JsonNode r : report.get("records")) {
            boolean ok = ok(r);
            String star = r.path("best_of_implementation").asBoolean(false) ? "*" : "";
            b.append(String.format(Locale.ROOT, fmt, r.get("implementation").asText(), r.get("cell").asText(),
                    r.get("hidden").asInt(), r.get("batch").asInt(), r.get("threads").asInt() + star,
                    r.path("blas_threads").asInt(r.get("threads").asInt()),
                    ok ? String.format(Locale.ROOT, "%.0f", tps(r)) : r.get("status").asText(),
                    ok ? String.format(Locale.ROOT, "%.2f", r.get("gflops").asDouble()) : "",
                    ok ? String.format(Locale.ROOT, "%.2f", r.get("pct_of_gemm_peak").asDouble()) : "",
                    ok ? String.format(Locale.ROOT, "%.0f", r.get("peak_rss_mb").asDouble()) : "",
                    r.has("ratio_ours_same_threads_over_this") && !r.get("implementation").asText().equals("ours")
                            ? String.format(Locale.ROOT, "%.2f", r.get("ratio_ours_same_threads_over_this")
                                    .asDouble()) : ""));
        }
        b.append("\nbest against best (tokens/s at each implementation's fastest thread count [threads];"
                + " ratio = ours best / this best):\n");
        for (JsonNode line : report.get("summary")) {
            b.append(String.format(Locale.ROOT, "%-4s H=%-4d B=%-4d", line.get("cell").asText(),
                    line.get("hidden").asInt(), line.get("batch").asInt()));
            line.fields().forEachRemaining(f -> {
                JsonNode e = f.getValue();
                if (!e.isObject()) {
                    return;
                }
                if (!e.has("best_tokens_per_s")) {
                    b.append(String.format(Locale.ROOT, "  %s %s", f.getKey(), e.get("status").asText()));
                    return;
                }
                b.append(String.format(Locale.ROOT, "  %s %.0f [%d] %.1f%% peak", f.getKey(),
                        e.get("best_tokens_per_s").asDouble(), e.get("best_threads").asInt(),
                        e.get("pct_of_gemm_peak").asDouble()));
                if (!f.getKey().equals("ours") && e.has("ratio_ours_best_over_this_best")) {
                    b.append(String.format(Locale.ROOT, " (ours/this %.2f)",
                            e.get("ratio_ours_best_over_this_best").asDouble()));
                }
            });
            b.append('\n');
        }
        return b.toString();
    }
}
