package io.sparkrnn.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.engine.io.Folder;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.jobs.config.LearningRates;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code report.html} into a run's output folder from its {@code metrics.jsonl}, {@code eval.json} and
 * resolved config: loss against tokens and time, learning rate, delta norm with clip and reject events,
 * throughput, and the config and eval tables. The page is one file that needs no network to view.
 */
public final class RunReport {
    public static final String FILE = "report.html";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunReport() {
    }

    /**
     * Reads {@code dir/metrics.jsonl} and {@code dir/eval.json} (either may be absent) and writes
     * {@code dir/report.html} atomically (temporary file, then rename), on any storage (a run's output.dir on HDFS).
     *
     * @param config the resolved config, key to value as printed; {@code train.lr} and its schedule
     *               ({@link LearningRates}), when present, give the learning-rate plot
     */
    public static void write(Folder dir, String title, Map<String, String> config) {
        String metricsFile = dir.where("metrics.jsonl");
        String evalFile = dir.where("eval.json");
        try {
            List<String> lines = dir.exists("metrics.jsonl") ? utf8(dir, "metrics.jsonl").lines().toList() : List.of();
            MetricsHistory history = MetricsHistory.parse(lines, metricsFile, MetricNames.renames(config));
            JsonNode eval = null;
            if (dir.exists("eval.json")) {
                try {
                    eval = JSON.readTree(utf8(dir, "eval.json"));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(evalFile + ": not JSON: " + e.getOriginalMessage());
                }
            }
            String html = ReportPage.html(title, history, config, learningRate(config), eval);
            byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
            dir.write(FILE, out -> out.write(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.where(FILE), e);
        }
    }

    /** A file as UTF-8 text; malformed input is an error naming it, as {@code Files.readAllLines} gives. */
    private static String utf8(Folder dir, String name) throws IOException {
        try (InputStream in = dir.open(name)) {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(in.readAllBytes())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(dir.where(name) + ": not UTF-8 text", e);
        }
    }

    /**
     * The configured inner learning rate: one number when constant, else the rate of each round's last inner
     * step (round r = 1, 2, ...: step r * H - 1) as the schedule gives it; null when the config has none.
     */
    private static Object learningRate(Map<String, String> config) {
        if (config.get("train.lr") == null) {
            return null;
        }
        try {
            LrSchedule s = LearningRates.of(config);
            if (s instanceof LrSchedule.Constant c) {
                return c.value();
            }
            int rounds = Integer.parseInt(config.get("train.rounds"));
            long h = Long.parseLong(config.get("train.local-steps"));
            double[] lr = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                lr[r] = s.lr((r + 1) * h - 1);
            }
            return lr;
        } catch (RuntimeException e) {
            // A config this version cannot read (hand-edited or partial): the plot shows the scale alone.
            return null;
        }
    }
}
