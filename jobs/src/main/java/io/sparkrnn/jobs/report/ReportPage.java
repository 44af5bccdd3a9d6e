package io.sparkrnn.jobs.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.jobs.config.ConfigKey;
import io.sparkrnn.jobs.config.ConfigSchema;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The HTML of {@code report.html}: one file with Chart.js and the drawing script inlined, the run's data as a
 * JSON block ({@code <script type="application/json" id="report-data">}), and the config and eval.json as
 * tables.
 *
 * <p>The embedded data: {@code title}, {@code task}, {@code eval} (eval.json, its fields under their present names,
 * or null), {@code lr} (the configured inner learning rate or null), {@code columns} and {@code events} of
 * {@link MetricsHistory}, {@code valid} (the validation fields found) and {@code labels} (each in words). The task's
 * charts (classify: confusion heat map, per-class bars; tag: per-tag F1 bars; forecast: actual against forecast) are
 * drawn from {@code eval}; the model's figures beside the baselines', the confused tag pairs, the samples table
 * (seq2seq, lm) and the config table are HTML.
 * Escaping: table text is HTML-escaped; the JSON block has {@code < > &} and U+2028/9 as {@code \\uXXXX}
 * escapes, so no value can close the script element.
 */
final class ReportPage {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReportPage() {
    }

    /**
     * @param lr   the inner learning rate: a Double when constant, a double[] by round (index r - 1) when
     *             scheduled, or null when the config has none
     * @param eval eval.json's object, or null when the run wrote none
     */
    static String html(String title, MetricsHistory history, Map<String, String> config, Object lr, JsonNode eval) {
        eval = MetricNames.rename(eval, MetricNames.renames(config));
        String task = eval != null && eval.hasNonNull("task") ? eval.get("task").asText()
                : config.getOrDefault("task", "");
        ObjectNode data = JSON.createObjectNode();
        data.put("title", title);
        data.put("task", task);
        data.set("eval", eval != null && eval.isObject() ? eval : JSON.nullNode());
        ObjectNode labels = data.putObject("labels");
        history.validationFields().forEach(v -> labels.put(v, MetricNames.words(v)));
        if (lr == null) {
            data.putNull("lr");
        } else if (lr instanceof double[] byRound) {
            data.set("lr", JSON.valueToTree(byRound));
        } else {
            data.put("lr", (Double) lr);
        }
        data.set("columns", JSON.valueToTree(history.columns()));
        data.set("events", JSON.valueToTree(history.events()));
        data.set("valid", JSON.valueToTree(history.validationFields()));
        StringBuilder sb = new StringBuilder(256 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escapeHtml(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>").append(escapeHtml(title)).append("</h1>\n<p class=\"summary\">")
                .append(escapeHtml(summary(history) + best(eval))).append("</p>\n");
        sb.append(CHARTS);
        sb.append(taskCharts(task, eval));
        baselines(sb, eval);
        samples(sb, history);
        sb.append("<div class=\"tables\">\n<section><h2>eval.json</h2>\n");
        if (eval == null || !eval.isObject()) {
            sb.append("<p>no eval.json</p>\n");
        } else {
            sb.append("<table>\n");
            for (Iterator<Map.Entry<String, JsonNode>> it = eval.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String shown = DRAWN.stream().anyMatch(f.getKey()::endsWith) ? "(shown above)"
                        : f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString();
                row(sb, f.getKey(), shown);
            }
            sb.append("</table>\n");
        }
        sb.append("</section>\n");
        config(sb, task, config);
        sb.append("</div>\n");
        sb.append("<script type=\"application/json\" id=\"report-data\">").append(scriptSafeJson(data))
                .append("</script>\n<script>\n").append(ChartLibrary.chartJs()).append("\n</script>\n<script>\n")
                .append(ChartLibrary.reportJs()).append("\n</script>\n</body>\n</html>\n");
        return sb.toString();
    }

    /** eval.json fields the task charts and tables show (by the end of their name). */
    private static final List<String> DRAWN = List.of("per_class", "confusion", "confused_pairs", "_series",
            "_samples");

    /** The charts of the task's own results, drawn by report.js from eval.json. */
    private static String taskCharts(String task, JsonNode eval) {
        if (eval == null || !eval.isObject()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("<div class=\"charts task\">\n");
        switch (task) {
            case "classify" -> sb.append(chart("confusion", "tall", "Confusion matrix, validation (rows: true label, "
                    + "columns: predicted; shade: share of the row)", "<div class=\"heat\" id=\"confusion\"></div>"))
                    .append(chart("per-class", "tall", "Per-class precision, recall and F1 (validation)", null));
            case "tag" -> {
                sb.append(chart("per-tag", "wide", "Per-tag F1 (validation), most frequent tags first", null));
                confusedPairs(sb, eval.path("valid_confused_pairs"));
            }
            case "forecast" -> sb.append(chart("forecast", "wide tall", "Actual and forecast one step ahead on the "
                    + "validation and test rows, with the seasonal-naive and persistence baselines", null));
            default -> {
                return "";
            }
        }
        return sb.append("</div>\n").toString();
    }

    /**
     * The model's figures beside the baselines' ({@link MetricNames#BASELINES}): a row per model field that has a
     * baseline, a column per baseline; nothing when eval.json has no baseline.
     */
    private static void baselines(StringBuilder sb, JsonNode eval) {
        if (eval == null || !eval.isObject()) {
            return;
        }
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
        Set<String> columns = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = eval.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String[] beside = MetricNames.besideModel(f.getKey());
            if (beside != null && f.getValue().isNumber() && eval.path(beside[0]).isNumber()) {
                rows.computeIfAbsent(beside[0], k -> new LinkedHashMap<>()).put(beside[1], f.getValue().asDouble());
                columns.add(beside[1]);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        List<String> cols = MetricNames.BASELINES.keySet().stream().filter(columns::contains).toList();
        sb.append("<section class=\"baselines\"><h2>The model beside the baselines</h2>\n<table id=\"baselines\">\n"
                + "<tr><th>figure</th><th>model</th>");
        cols.forEach(c -> sb.append("<th>").append(escapeHtml(MetricNames.BASELINES.get(c))).append("</th>"));
        sb.append("</tr>\n");
        for (Map.Entry<String, Map<String, Double>> r : rows.entrySet()) {
            sb.append("<tr><th>").append(escapeHtml(MetricNames.words(r.getKey()))).append("</th><td>")
                    .append(figure(eval.get(r.getKey()).asDouble())).append("</td>");
            for (String c : cols) {
                Double v = r.getValue().get(c);
                sb.append("<td>").append(v == null ? "" : figure(v)).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n</section>\n");
    }

    private static String figure(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String chart(String id, String size, String title, String body) {
        return "<div class=\"chart " + size + "\" id=\"chart-" + id + "\"><h2>" + escapeHtml(title)
                + "</h2><div class=\"canvas\">" + (body != null ? body : "<canvas id=\"" + id + "\"></canvas>")
                + "</div></div>\n";
    }

    private static void confusedPairs(StringBuilder sb, JsonNode pairs) {
        sb.append("<section class=\"chart wide pairs\"><h2>Most confused tag pairs (validation)</h2>\n");
        if (!pairs.isArray() || pairs.isEmpty()) {
            sb.append("<p class=\"none\">no confusions</p></section>\n");
            return;
        }
        sb.append("<table id=\"confused-pairs\">\n<tr><th>true tag</th><th>predicted</th><th>tokens</th></tr>\n");
        for (JsonNode p : pairs) {
            sb.append("<tr><td>").append(escapeHtml(p.path("truth").asText())).append("</td><td>")
                    .append(escapeHtml(p.path("predicted").asText())).append("</td><td>")
                    .append(p.path("count").asLong()).append("</td></tr>\n");
        }
        sb.append("</table>\n</section>\n");
    }

    /**
     * The fixed held-out examples (seq2seq: validation sources; lm: prompts from the held-out text) with the model's
     * output after each validation, one group of rows an example.
     */
    private static void samples(StringBuilder sb, MetricsHistory h) {
        Map<Long, JsonNode> byRound = h.samples();
        if (byRound.isEmpty()) {
            return;
        }
        int examples = byRound.values().stream().mapToInt(JsonNode::size).max().orElse(0);
        sb.append("<section class=\"samples\"><h2>Samples: fixed held-out examples and the model's output after "
                + "each validation</h2>\n<table id=\"samples\">\n<tr><th>source</th><th>reference</th>"
                + "<th>round</th><th>output</th></tr>\n");
        for (int i = 0; i < examples; i++) {
            int rows = 0;
            for (JsonNode s : byRound.values()) {
                rows += s.size() > i ? 1 : 0;
            }
            boolean first = true;
            for (Map.Entry<Long, JsonNode> r : byRound.entrySet()) {
                JsonNode s = r.getValue().get(i);
                if (s == null) {
                    continue;
                }
                String ref = s.path("reference").asText();
                String out = s.path("output").asText();
                sb.append("<tr class=\"sample").append(first ? " first" : "").append("\">");
                if (first) {
                    sb.append("<td rowspan=\"").append(rows).append("\" class=\"text\">")
                            .append(escapeHtml(s.path("source").asText())).append("</td><td rowspan=\"")
                            .append(rows).append("\" class=\"text\">").append(escapeHtml(ref)).append("</td>");
                    first = false;
                }
                sb.append("<td>").append(r.getKey() + 1).append("</td><td class=\"text")
                        .append(out.equals(ref) ? " exact" : "").append("\">").append(escapeHtml(out))
                        .append("</td></tr>\n");
            }
        }
        sb.append("</table>\n</section>\n");
    }

    /**
     * The resolved config: the keys the task reads (those that differ from the default marked), then, folded,
     * the keys it does not read.
     */
    private static void config(StringBuilder sb, String task, Map<String, String> config) {
        Map<String, ConfigKey> schema = ConfigSchema.byPath();
        StringBuilder unused = new StringBuilder();
        int nUnused = 0;
        sb.append("<section><h2>config</h2>\n<p class=\"legend\"><span class=\"changed\">&#9679;</span> differs "
                + "from the default</p>\n<table id=\"config\">\n");
        for (Map.Entry<String, String> e : config.entrySet()) {
            ConfigKey k = schema.get(e.getKey());
            if (k != null && !task.isEmpty() && !k.appliesTo(task)) {
                row(unused, e.getKey(), e.getValue());
                nUnused++;
            } else if (k != null && !k.isDefault(e.getValue())) {
                sb.append("<tr class=\"changed\" title=\"default: ").append(escapeHtml(String.valueOf(
                        k.defaultValue()))).append("\"><th>").append(escapeHtml(e.getKey())).append("</th><td>")
                        .append(escapeHtml(e.getValue())).append("</td></tr>\n");
            } else {
                row(sb, e.getKey(), e.getValue());
            }
        }
        sb.append("</table>\n");
        if (nUnused > 0) {
            sb.append("<details id=\"config-unused\"><summary>").append(nUnused).append(" keys task ")
                    .append(escapeHtml(task)).append(" does not read</summary>\n<table>\n").append(unused)
                    .append("</table>\n</details>\n");
        }
        sb.append("</section>\n");
    }

    private static String summary(MetricsHistory h) {
        int n = h.size();
        if (n == 0) {
            return "no rounds recorded";
        }
        List<Double> tokens = h.columns().get(MetricsHistory.TOKENS_SEEN);
        List<Double> time = h.columns().get(MetricsHistory.TIME);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%d rounds, %,.0f tokens, %.1f s of training",
                n, tokens.get(n - 1), time.get(n - 1)));
        for (String v : h.validationFields()) {
            List<Double> col = h.columns().get(v);
            for (int i = n - 1; i >= 0; i--) {
                if (col.get(i) != null) {
                    s.append(String.format(Locale.ROOT, "; last %s %.4f", MetricNames.words(v), col.get(i)));
                    break;
                }
            }
        }
        return s.toString();
    }

    /**
     * The best validated round and the round whose model was written, as eval.json names them ({@code best_round},
     * {@code best_metric}, {@code best_value}, {@code model_round}, {@code final_model}); empty for a run of before
     * best-model selection.
     */
    private static String best(JsonNode eval) {
        if (eval == null || !eval.path("best_round").canConvertToLong() || !eval.path("best_value").isNumber()) {
            return "";
        }
        String s = String.format(Locale.ROOT, "; best %s %.4f at round %d", MetricNames.words(
                eval.path("best_metric").asText()), eval.get("best_value").asDouble(), eval.get("best_round").asLong());
        if (eval.path("model_round").canConvertToLong()) {
            s += String.format(Locale.ROOT, "; the model written is round %d's (train.final-model = %s)",
                    eval.get("model_round").asLong(), eval.path("final_model").asText());
        }
        return s + (eval.path("stopped_early").asBoolean(false) ? "; stopped early" : "");
    }

    private static void row(StringBuilder sb, String key, String value) {
        sb.append("<tr><th>").append(escapeHtml(key)).append("</th><td>").append(escapeHtml(value))
                .append("</td></tr>\n");
    }

    static String escapeHtml(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** JSON text that is also safe inside a script element: these characters only occur in strings there. */
    static String scriptSafeJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(node).replace("<", "\\u003c").replace(">", "\\u003e")
                    .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report data not serialisable", e);
        }
    }

    private static final String CSS = """
            body { font-family: sans-serif; margin: 24px; color: #222; background: #fff; }
            h1 { font-size: 22px; margin: 0 0 4px 0; }
            h2 { font-size: 16px; margin: 0 0 8px 0; }
            .summary { color: #555; margin: 0 0 16px 0; }
            .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
            .chart { border: 1px solid #ddd; padding: 8px; height: 300px; position: relative; }
            .chart.wide { grid-column: 1 / span 2; }
            .chart h2 { height: 20px; }
            .chart .canvas { position: absolute; top: 36px; bottom: 8px; left: 8px; right: 8px; }
            .chart .none { color: #999; }
            .chart.tall { height: 460px; }
            .charts.task { margin-top: 16px; }
            .chart.pairs { height: auto; }
            .heat { position: absolute; inset: 0; }
            .samples, .baselines { margin-top: 16px; }
            .samples table { width: 100%; }
            .samples td.text { white-space: pre-wrap; word-break: break-word; }
            .samples tr.first td { border-top: 1px solid #bbb; }
            .samples td.exact { color: #2ca02c; }
            tr.changed th::before, .legend .changed { color: #d62728; }
            tr.changed th::before { content: "\\25CF  "; }
            tr.changed td { font-weight: bold; }
            .legend { font-size: 12px; color: #555; margin: 0 0 4px 0; }
            details summary { cursor: pointer; color: #555; font-size: 13px; margin-top: 8px; }
            .tables { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 16px; }
            table { border-collapse: collapse; font-size: 13px; }
            th, td { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: left; vertical-align: top; }
            th { font-weight: normal; color: #555; font-family: monospace; }
            td { font-family: monospace; word-break: break-all; }
            """;

    private static final String CHARTS = """
            <div class="charts">
            <div class="chart"><h2>Loss against tokens</h2><div class="canvas"><canvas id="loss-tokens"></canvas></div></div>
            <div class="chart"><h2>Loss against training time</h2><div class="canvas"><canvas id="loss-time"></canvas></div></div>
            <div class="chart"><h2>Learning rate (lr &times; back-off scale)</h2><div class="canvas"><canvas id="lr"></canvas></div></div>
            <div class="chart"><h2>Norm of the averaged delta; clip and reject events</h2><div class="canvas"><canvas id="norm"></canvas></div></div>
            <div class="chart wide"><h2>Throughput per round</h2><div class="canvas"><canvas id="throughput"></canvas></div></div>
            </div>
            """;
}
