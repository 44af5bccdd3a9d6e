package io.sparkrnn.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.round.RoundMetrics;
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

    @Test
    void embedsTheMetricsAndTheChartLibrary() throws Exception {
        Path report = RunReport.write(writeRun(tmp), "spark-rnn train " + NASTY, config());
        assertEquals(tmp.resolve("report.html"), report);
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
        String html = Files.readString(RunReport.write(writeRun(tmp), "t " + NASTY, config()));
        // Exactly the page's own three script elements close: the data block, Chart.js, the drawing script.
        assertEquals(3, count(html, "<script"), "script elements opened");
        assertEquals(3, count(html, "</script>"), "script elements closed");
        String escaped = "x&lt;/script&gt;&lt;script&gt;alert(&#39;no&#39;)&lt;/script&gt; &amp; &quot;q&quot;";
        assertTrue(html.contains("<tr><th>output.dir</th><td>" + escaped), "config value escaped in its table");
        assertTrue(html.contains("<tr><th>note</th><td>" + escaped), "eval.json value escaped in its table");
    }

    @Test
    void runsWithoutValidationOrEvalStillGiveAPage() throws Exception {
        Files.writeString(tmp.resolve("metrics.jsonl"), rounds().get(0).toJson() + "\n\n");
        String html = Files.readString(RunReport.write(tmp, "t", Map.of()));
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
        JsonNode lr = embeddedData(Files.readString(RunReport.write(writeRun(tmp), "t", c))).get("lr");
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
                () -> RunReport.write(tmp, "t", Map.of()));
        assertTrue(e.getMessage().startsWith(tmp.resolve("metrics.jsonl") + " line 2: not JSON"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("report.html")), "nothing written");
        Files.writeString(tmp.resolve("metrics.jsonl"), "[1,2]\n");
        e = assertThrows(IllegalArgumentException.class, () -> RunReport.write(tmp, "t", Map.of()));
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
        Path report = RunReport.write(writeRun(tmp), "spark-rnn train " + NASTY, config());
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
