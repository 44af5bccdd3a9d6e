package io.sparkrnn.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.round.RoundMetrics;
import io.sparkrnn.engine.io.Folder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
    static final String NASTY = "x</script><script>alert('no')</script> & \"q\" \u2028";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Six rounds as the round loop writes them: one clipped, one rejected, validation every other round. */
    static List<RoundMetrics> rounds() {
        List<RoundMetrics> r = new ArrayList<>();
        r.add(new RoundMetrics(0, 0.25, 102400, 3.379, 18866.2, 9.117, 9.117, false, false, 0, 0, 4.95, 5.43, 1.0));
        r.add(new RoundMetrics(1, 0.50, 102400, 2.765, 34907.6, 8.193, 1.0, true, false, 0, 3, 2.81, 2.93, 1.0));
        r.add(new RoundMetrics(2, 0.75, 102400, 2.501, 35120.0, Double.NaN, 0.0, false, true, 1, 0, 2.80, 2.92, 0.5));
        r.add(new RoundMetrics(3, 1.00, 102400, 2.402, 36001.5, 4.420, 4.420, false, false, 1, 0, 2.75, 2.84, 0.5));
        r.add(new RoundMetrics(4, 1.25, 102400, 2.310, 35555.5, 3.880, 3.880, false, false, 1, 0, 2.77, 2.88, 0.5));
        r.add(new RoundMetrics(5, 1.50, 102400, 2.250, 35800.0, 3.500, 3.500, false, false, 1, 0, 2.76, 2.86, 0.5));
        return r;
    }

    /** The metrics.jsonl of {@link #rounds()}, with bits per char on odd rounds and an accuracy on the last. */
    static Path writeRun(Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (RoundMetrics m : rounds()) {
            ObjectNode json = m.toJson();
            if (m.round() % 2 == 1) {
                json.set("valid_bits_per_char", RoundMetrics.rounded(4.0 - m.round() * 0.25, 6));
            }
            if (m.round() == 5) {
                json.put("valid_accuracy", 0.8125);
            }
            lines.add(json.toString());
        }
        Files.write(dir.resolve("metrics.jsonl"), lines, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("eval.json"), "{\"task\":\"lm\",\"valid_bits_per_char\":2.75,"
                + "\"note\":\"" + NASTY.replace("\"", "\\\"") + "\",\"per_tag\":{\"NN\":0.9}}\n");
        return dir;
    }

    static Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("task", "lm");
        c.put("train.lr", "0.003");
        c.put("output.dir", NASTY);
        return c;
    }

    static JsonNode embeddedData(String html) throws Exception {
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"report-data\">(.*?)</script>",
                Pattern.DOTALL).matcher(html);
        assertTrue(m.find(), "no data block");
        return JSON.readTree(m.group(1));
    }

    /** Writes the report of the run in {@code dir} as a training run does; returns its path. */
    private static Path report(Path dir, String title, Map<String, String> config) {
        RunReport.write(Folder.local(dir), title, config);
        return dir.resolve(RunReport.FILE);
    }

    @Test
    void embedsTheMetricsAndTheChartLibrary() throws Exception {
        Path report = report(writeRun(tmp), "spark-rnn train " + NASTY, config());
        assertTrue(Files.isRegularFile(report), "written: " + report);
        String html = Files.readString(report);
        assertTrue(html.contains("Chart.js v" + ChartLibrary.chartJsVersion()), "Chart.js header");
        assertTrue(html.contains(ChartLibrary.chartJs()), "the whole Chart.js bundle inlined");
        assertTrue(html.contains(ChartLibrary.reportJs()), "the drawing script inlined");
        assertTrue(!html.contains("http://") && !html.contains("https://cdn"), "no network reference");

        JsonNode data = embeddedData(html);
        assertEquals("spark-rnn train " + NASTY, data.get("title").asText());
        assertEquals(0.003, data.get("lr").asDouble(), 0);
        JsonNode col = data.get("columns");
        List<RoundMetrics> rounds = rounds();
        double tokens = 0;
        double time = 0;
        for (int i = 0; i < rounds.size(); i++) {
            RoundMetrics m = rounds.get(i);
            tokens += m.tokens();
            time += m.secondsTotal();
            assertEquals(m.round(), col.get("round").get(i).asLong());
            assertEquals(m.trainLoss(), col.get("train_loss").get(i).asDouble(), 0, "train_loss " + i);
            assertEquals(m.tokensPerSec(), col.get("tokens_per_sec").get(i).asDouble(), 0, "tokens_per_sec " + i);
            assertEquals(m.lrScale(), col.get("lr_scale").get(i).asDouble(), 0);
            assertEquals(m.deltaNormAfter(), col.get("delta_norm_clipped").get(i).asDouble(), 0);
            assertEquals(tokens, col.get("tokens_seen").get(i).asDouble(), 0);
            assertEquals(time, col.get("time_s").get(i).asDouble(), 1e-9);
            JsonNode bpc = col.get("valid_bits_per_char").get(i);
            if (i % 2 == 1) {
                assertEquals(4.0 - i * 0.25, bpc.asDouble(), 0);
            } else {
                assertTrue(bpc.isNull(), "no validation in round " + i);
            }
            assertEquals(i == 5 ? 0.8125 : null, col.get("valid_accuracy").get(i).isNull() ? null
                    : col.get("valid_accuracy").get(i).asDouble());
        }
        assertTrue(col.get("delta_norm").get(2).isNull(), "the rejected round's norm is not finite");
        assertEquals(9.117, col.get("delta_norm").get(0).asDouble(), 0);
        assertEquals(List.of(1L), longs(data.get("events").get("clipped")));
        assertEquals(List.of(2L), longs(data.get("events").get("rejected")));
        assertEquals(List.of("valid_bits_per_char", "valid_accuracy"),
                JSON.convertValue(data.get("valid"), List.class));
        assertTrue(html.contains("6 rounds, 614,400 tokens"), "summary");
        assertTrue(html.contains("<tr><th>per_tag</th><td>{&quot;NN&quot;:0.9}</td></tr>"), "nested eval value");
    }

    @Test
    void configAndEvalStringsCannotBreakThePage() throws Exception {
        String html = Files.readString(report(writeRun(tmp), "t " + NASTY, config()));
        // Exactly the page's own three script elements close: the data block, Chart.js, the drawing script.
        assertEquals(3, count(html, "<script"), "script elements opened");
        assertEquals(3, count(html, "</script>"), "script elements closed");
        String escaped = "x&lt;/script&gt;&lt;script&gt;alert(&#39;no&#39;)&lt;/script&gt; &amp; &quot;q&quot;";
        assertTrue(html.contains("<th>output.dir</th><td>" + escaped), "config value escaped in its table");
        assertTrue(html.contains("<tr><th>note</th><td>" + escaped), "eval.json value escaped in its table");
    }

    /** The summary names the best round and the round whose model was written; a run of before says neither. */
    @Test
    void theSummaryNamesTheBestRoundAndTheModelsRound() throws Exception {
        writeRun(tmp);
        String before = Files.readString(report(tmp, "t", config()));
        assertTrue(!before.contains("best validation"), "no best round in an older eval.json");
        Files.writeString(tmp.resolve("eval.json"), "{\"task\":\"lm\",\"valid_bits_per_char\":3.5,\"rounds\":6,"
                + "\"final_model\":\"best\",\"model_round\":4,\"best_round\":4,\"best_metric\":"
                + "\"valid_bits_per_char\",\"best_value\":3.5,\"stopped_early\":true}\n");
        String html = Files.readString(report(tmp, "t", config()));
        assertTrue(html.contains("; best validation bits per character 3.5000 at round 4; the model written is round "
                + "4&#39;s (train.final-model = best); stopped early</p>"), "summary line");
        assertEquals(4, embeddedData(html).get("eval").get("best_round").asInt());
    }

    @Test
    void theBaselinesStandBesideTheModelsFigures() throws Exception {
        ObjectNode eval = JSON.createObjectNode().put("task", "forecast").put("valid_mae", 2.279)
                .put("valid_rmse", 3.5).put("valid_seasonal_naive_mae", 2.9).put("valid_seasonal_naive_rmse", 4.0)
                .put("valid_persistence_mae", 2.271).put("valid_persistence_rmse", 3.25)
                .put("valid_mae_vs_persistence", 1.0035).put("test_mae", 2.0).put("test_persistence_mae", 2.5)
                .put("valid_majority_accuracy", 0.6);
        Files.writeString(tmp.resolve("eval.json"), eval + "\n");
        String html = Files.readString(report(tmp, "t", Map.of("task", "forecast")));
        String table = html.substring(html.indexOf("<table id=\"baselines\">"), html.indexOf("</table>",
                html.indexOf("<table id=\"baselines\">")));
        // one column per baseline present, one row per model figure that has one (majority: no model accuracy)
        assertTrue(table.contains("<tr><th>figure</th><th>model</th><th>seasonal naive</th><th>persistence</th></tr>"),
                table);
        assertTrue(table.contains("<tr><th>validation MAE</th><td>2.2790</td><td>2.9000</td><td>2.2710</td></tr>"),
                table);
        assertTrue(table.contains("<tr><th>validation RMSE</th><td>3.5000</td><td>4.0000</td><td>3.2500</td></tr>"),
                table);
        assertTrue(table.contains("<tr><th>test MAE</th><td>2.0000</td><td></td><td>2.5000</td></tr>"), table);
        assertEquals(3, count(table, "<tr><th>") - 1, table);
        assertTrue(!table.contains("majority"), table);
    }

    @Test
    void runsWithoutValidationOrEvalStillGiveAPage() throws Exception {
        Files.writeString(tmp.resolve("metrics.jsonl"), rounds().get(0).toJson() + "\n\n");
        String html = Files.readString(report(tmp, "t", Map.of()));
        JsonNode data = embeddedData(html);
        assertTrue(data.get("lr").isNull());
        assertEquals(0, data.get("valid").size());
        assertEquals(1, data.get("columns").get("train_loss").size());
        assertTrue(html.contains("<p>no eval.json</p>"));
    }

    @Test
    void aScheduledLearningRateIsEmbeddedByRound() throws Exception {
        Map<String, String> c = config();
        c.put("train.lr-schedule", "cosine");
        c.put("train.min-lr", "0.0003");
        c.put("train.rounds", "6");
        c.put("train.local-steps", "10");
        JsonNode lr = embeddedData(Files.readString(report(writeRun(tmp), "t", c))).get("lr");
        assertEquals(6, lr.size());
        for (int r = 1; r <= 6; r++) {
            // the rate of the round's last inner step s = 10 r - 1 of T = 60: M + (P - M) (1 + cos(pi s / T)) / 2
            double expected = 0.0003 + 0.0027 * (1 + Math.cos(Math.PI * (10 * r - 1) / 60.0)) / 2;
            assertEquals(expected, lr.get(r - 1).asDouble(), 1e-15, "round " + r);
        }
    }

    @Test
    void aBadMetricsLineNamesTheFileAndLine() throws Exception {
        Files.writeString(tmp.resolve("metrics.jsonl"), rounds().get(0).toJson() + "\n{\"round\":1,\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunReport.write(Folder.local(tmp), "t", Map.of()));
        assertTrue(e.getMessage().startsWith(tmp.resolve("metrics.jsonl") + " line 2: not JSON"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("report.html")), "nothing written");
        Files.writeString(tmp.resolve("metrics.jsonl"), "[1,2]\n");
        e = assertThrows(IllegalArgumentException.class, () -> RunReport.write(Folder.local(tmp), "t", Map.of()));
        assertTrue(e.getMessage().contains("line 1: expected a JSON object, found [1,2]"), e.getMessage());
    }

    private static List<Long> longs(JsonNode a) {
        List<Long> out = new ArrayList<>();
        a.forEach(v -> out.add(v.asLong()));
        return out;
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** A run of {@code task}: two validations with samples (seq2seq, lm) and the task's eval.json. */
    static Path writeTaskRun(Path dir, String task) throws Exception {
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>();
        for (RoundMetrics m : rounds()) {
            ObjectNode json = m.toJson();
            if (m.round() == 2 || m.round() == 5) {
                json.put("valid_accuracy", 0.5 + m.round() * 0.05);
                if (task.equals("seq2seq") || task.equals("lm")) {
                    ArrayNode samples = json.putArray("valid_samples");
                    for (int i = 0; i < 3; i++) {
                        samples.addObject().put("source", "source " + i + " <b>").put("reference", "ref " + i)
                                .put("output", m.round() == 5 ? "ref " + i : "guess " + i);
                    }
                }
            }
            lines.add(json.toString());
        }
        Files.write(dir.resolve("metrics.jsonl"), lines, StandardCharsets.UTF_8);
        ObjectNode eval = JSON.createObjectNode().put("task", task);
        switch (task) {
            case "classify" -> {
                eval.put("valid_accuracy", 0.8);
                ObjectNode per = eval.putObject("valid_per_class");
                List<String> labels = List.of("sport", "politics", "tech");
                for (int i = 0; i < 3; i++) {
                    per.putObject(labels.get(i)).put("precision", 0.7 + i * 0.1).put("recall", 0.6 + i * 0.1)
                            .put("f1", 0.65 + i * 0.1).put("support", 10 + i);
                }
                ObjectNode conf = eval.putObject("valid_confusion");
                labels.forEach(conf.putArray("labels")::add);
                conf.set("matrix", JSON.readTree("[[8,1,1],[2,9,0],[0,1,11]]"));
            }
            case "tag" -> {
                ObjectNode per = eval.putObject("valid_per_class");
                per.putObject("DT").put("f1", 0.99).put("support", 50);
                per.putObject("NN").put("f1", 0.9).put("support", 80);
                per.putObject("VB").put("f1", 0.7).put("support", 20);
                eval.set("valid_confused_pairs", JSON.readTree("[{\"truth\":\"VB\",\"predicted\":\"NN\","
                        + "\"count\":6},{\"truth\":\"NN\",\"predicted\":\"VB\",\"count\":3}]"));
            }
            case "forecast" -> {
                eval.put("valid_mae", 310.5);
                eval.set("valid_series", JSON.readTree("{\"target\":\"births\",\"row\":[100,101,102,103],"
                        + "\"actual\":[9000,9400,8800,7000],\"forecast\":[9100,9300,8700,7300],"
                        + "\"seasonal_naive\":[8900,9600,9000,6500],\"persistence\":[8950,9000,9400,8800]}"));
                eval.set("test_series", JSON.readTree("{\"target\":\"births\",\"row\":[104,105,106],"
                        + "\"actual\":[9900,9400,9000],\"forecast\":[9800,9500,9100],"
                        + "\"seasonal_naive\":[9700,9000,9300],\"persistence\":[7000,9900,9400]}"));
            }
            case "seq2seq" -> eval.put("valid_per", 0.25).put("valid_wer", 0.5).put("valid_bleu", 0.4);
            default -> eval.put("valid_bits_per_char", 2.1);
        }
        Files.writeString(dir.resolve("eval.json"), eval + "\n");
        return dir;
    }

    static Map<String, String> taskConfig(String task) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("task", task);
        c.put("train.lr", "0.003");
        c.put("train.rounds", "20");
        c.put("model.hidden", "64");
        c.put("forecast.window", "28");
        c.put("data.target-tokens", "word");
        c.put("data.format", task.equals("seq2seq") ? "tsv" : "auto");
        return c;
    }

    @Test
    void theConfigTableShowsTheTasksKeysMarksChangesAndFoldsTheRest() throws Exception {
        String html = Files.readString(report(writeTaskRun(tmp, "classify"), "t", taskConfig("classify")));
        String shown = html.substring(html.indexOf("<table id=\"config\">"), html.indexOf("</table>",
                html.indexOf("<table id=\"config\">")));
        assertTrue(shown.contains("<tr class=\"changed\" title=\"default: 256\"><th>model.hidden</th><td>64</td>"),
                shown);
        assertTrue(shown.contains("<tr><th>train.rounds</th><td>20</td></tr>"), "a default, unmarked: " + shown);
        assertTrue(shown.contains("<tr><th>train.lr</th><td>0.003</td></tr>"), "3e-3 is the default: " + shown);
        assertTrue(!shown.contains("forecast.window") && !shown.contains("data.target-tokens"), shown);
        String folded = html.substring(html.indexOf("<details id=\"config-unused\">"));
        assertTrue(folded.startsWith("<details id=\"config-unused\"><summary>2 keys task classify does not read"),
                folded);
        assertTrue(folded.contains("<tr><th>forecast.window</th><td>28</td></tr>"), folded);
    }

    @Test
    void anOldWordTargetSeq2seqRunIsReadUnderTheTrueNames() throws Exception {
        // written before the names followed the targets: per and wer were the token and sentence error rates
        String html = Files.readString(report(writeTaskRun(tmp, "seq2seq"), "t", taskConfig("seq2seq")));
        JsonNode data = embeddedData(html);
        assertEquals(0.25, data.get("eval").get("valid_ter").asDouble(), 0);
        assertEquals(0.5, data.get("eval").get("valid_ser").asDouble(), 0);
        assertTrue(!data.get("eval").has("valid_per"), data.get("eval").toString());
        assertTrue(html.contains("<tr><th>valid_ter</th><td>0.25</td></tr>"), "eval table");
        assertEquals("validation accuracy", data.get("labels").get("valid_accuracy").asText());
        // the samples table: three examples, each with its output after both validations (rounds 3 and 6)
        String table = html.substring(html.indexOf("<table id=\"samples\">"));
        table = table.substring(0, table.indexOf("</table>"));
        assertEquals(1 + 3 * 2, count(table, "<tr"), table);
        assertTrue(table.contains("<td rowspan=\"2\" class=\"text\">source 0 &lt;b&gt;</td><td rowspan=\"2\" "
                + "class=\"text\">ref 0</td><td>3</td><td class=\"text\">guess 0</td>"), table);
        assertTrue(table.contains("<td>6</td><td class=\"text exact\">ref 2</td>"), table);
    }

    /**
     * Renders one report per task in headless Chromium and reads back, from the page after its scripts ran, what
     * each chart drew: the series of every canvas chart with their points and the canvas's painted pixels, the
     * cells of the confusion heat map, the rows of the tables.
     */
    @Test
    void everyTasksChartsDrawInHeadlessChromium() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        Assumptions.assumeTrue(Files.isExecutable(chromium),
                "skipped: /usr/bin/chromium is absent (apt-get install -y chromium to run this check)");
        Map<String, Map<String, List<String>>> expected = new LinkedHashMap<>();
        expected.put("classify", Map.of("chart-per-class", List.of("precision", "recall", "F1"),
                "chart-confusion", List.of("confusion")));
        expected.put("tag", Map.of("chart-per-tag", List.of("F1")));
        expected.put("forecast", Map.of("chart-forecast", List.of("actual births", "forecast", "seasonal naive",
                "persistence")));
        expected.put("seq2seq", Map.of());
        expected.put("lm", Map.of());
        for (Map.Entry<String, Map<String, List<String>>> t : expected.entrySet()) {
            String task = t.getKey();
            Path dir = writeTaskRun(tmp.resolve(task), task);
            Path report = report(dir, "spark-rnn train " + task, taskConfig(task));
            String dom = dumpDom(chromium, report);
            assertTrue(dom.contains("data-drawn=\"true\""), task + ": the drawing script did not finish");
            for (Map.Entry<String, List<String>> c : t.getValue().entrySet()) {
                Matcher m = Pattern.compile("id=\"" + c.getKey() + "\"[^>]*data-series=\"([^\"]*)\"").matcher(dom);
                assertTrue(m.find(), task + ": " + c.getKey() + " drew nothing");
                JsonNode series = JSON.readTree(m.group(1).replace("&quot;", "\"").replace("&amp;", "&"));
                List<String> labels = new ArrayList<>();
                series.forEach(s -> {
                    labels.add(s.get("label").asText());
                    assertTrue(s.get("points").asInt() > 0, task + " " + c.getKey() + ": empty series " + s);
                });
                assertEquals(c.getValue(), labels, task + " " + c.getKey());
                if (!c.getKey().equals("chart-confusion")) {
                    Matcher ink = Pattern.compile("id=\"" + c.getKey() + "\"[^>]*data-ink=\"(-?\\d+)\"").matcher(dom);
                    assertTrue(ink.find(), task + " " + c.getKey() + ": no ink measured");
                    assertTrue(Integer.parseInt(ink.group(1)) > 2000, task + " " + c.getKey() + ": "
                            + ink.group(1) + " painted pixels");
                }
            }
            switch (task) {
                case "classify" -> {
                    assertEquals(9, count(dom, "<rect "), "classify: a cell per (truth, predicted) pair");
                    assertTrue(dom.contains(">politics</text>"), "classify: label names on the heat map");
                }
                case "tag" -> {
                    String table = dom.substring(dom.indexOf("id=\"confused-pairs\""));
                    assertEquals(1 + 2, count(table.substring(0, table.indexOf("</table>")), "<tr>"),
                            "tag: the confused pairs table");
                }
                case "seq2seq", "lm" -> {
                    String table = dom.substring(dom.indexOf("id=\"samples\""));
                    assertEquals(1 + 6, count(table.substring(0, table.indexOf("</table>")), "<tr"),
                            task + ": the samples table");
                }
                default -> {
                }
            }
            // the loss plot still draws beside the task's charts
            assertTrue(Pattern.compile("data-series=\"[^\"]*training loss").matcher(dom).find(), task + ": loss");
        }
    }

    private Path dumpDomProfile() throws Exception {
        return Files.createTempDirectory(tmp, "chromium-profile");
    }

    /** The page's DOM after its scripts ran (Chromium's --dump-dom, timers let run for up to 5 s of page time). */
    private String dumpDom(Path chromium, Path html) throws Exception {
        Path dom = tmp.resolve(html.getParent().getFileName() + ".dom.html");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + dumpDomProfile(), "--window-size=1200,2000",
                "--virtual-time-budget=5000", "--dump-dom", html.toUri().toString())
                .redirectOutput(dom.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "chromium did not finish");
        } finally {
            p.destroyForcibly();
        }
        return Files.readString(dom);
    }

    /**
     * Renders the page in Debian's headless Chromium, and beside it the same page with its chart script removed
     * (what a page whose charts fail to draw looks like), and compares their non-white pixels: the plots must
     * add many.
     */
    @Test
    void rendersItsPlotsInHeadlessChromium() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        Assumptions.assumeTrue(Files.isExecutable(chromium),
                "skipped: /usr/bin/chromium is absent (apt-get install -y chromium to run this check)");
        Path report = report(writeRun(tmp), "spark-rnn train " + NASTY, config());
        String html = Files.readString(report);
        Path blank = tmp.resolve("no-charts.html");
        Files.writeString(blank, html.replace(ChartLibrary.reportJs(), ""));
        long page = inkPixels(screenshot(chromium, report));
        long noCharts = inkPixels(screenshot(chromium, blank));
        // Five plots of ~560 x 240 px each with axes, grid, lines and bars; the text and frames are in both.
        assertTrue(page - noCharts > 40_000, "plots drawn: " + page + " non-white pixels, " + noCharts
                + " without the charts");
    }

    private Path screenshot(Path chromium, Path html) throws Exception {
        Path png = tmp.resolve(html.getFileName() + ".png");
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        Path log = tmp.resolve(html.getFileName() + ".log");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile, "--screenshot=" + png,
                "--window-size=1200,2000", html.toUri().toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "chromium did not finish");
        assertTrue(Files.exists(png) && Files.size(png) > 0, "no screenshot: " + Files.readString(log));
        return png;
    }

    private static long inkPixels(Path png) throws Exception {
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                if (((rgb >> 16) & 0xff) < 240 || ((rgb >> 8) & 0xff) < 240 || (rgb & 0xff) < 240) {
                    n++;
                }
            }
        }
        return n;
    }
}
