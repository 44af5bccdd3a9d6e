package io.sparkrnn.jobs.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML of {@code report.html}: one file with Chart.js and the drawing script inlined, the run's data as a
 * JSON block ({@code <script type="application/json" id="report-data">}), and the config and eval.json as
 * tables.
 *
 * <p>The embedded data: {@code title}, {@code lr} (the configured inner learning rate or null),
 * {@code columns} and {@code events} of {@link MetricsHistory}, {@code valid} (the validation fields found).
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
        ObjectNode data = JSON.createObjectNode();
        data.put("title", title);
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
                .append(escapeHtml(summary(history))).append("</p>\n");
        sb.append(CHARTS);
        sb.append("<div class=\"tables\">\n<section><h2>eval.json</h2>\n");
        if (eval == null || !eval.isObject()) {
            sb.append("<p>no eval.json</p>\n");
        } else {
            sb.append("<table>\n");
            for (Iterator<Map.Entry<String, JsonNode>> it = eval.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                row(sb, f.getKey(), f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString());
            }
            sb.append("</table>\n");
        }
        sb.append("</section>\n<section><h2>config</h2>\n<table>\n");
        config.forEach((k, v) -> row(sb, k, v));
        sb.append("</table>\n</section>\n</div>\n");
        sb.append("<script type=\"application/json\" id=\"report-data\">").append(scriptSafeJson(data))
                .append("</script>\n<script>\n").append(ChartLibrary.chartJs()).append("\n</script>\n<script>\n")
                .append(ChartLibrary.reportJs()).append("\n</script>\n</body>\n</html>\n");
        return sb.toString();
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
                    s.append(String.format(Locale.ROOT, "; last %s %.4f", v, col.get(i)));
                    break;
                }
            }
        }
        return s.toString();
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
