package io.sparkrnn.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.jobs.LearningRates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
     * {@code dir/report.html} atomically (temporary file, then rename).
     *
     * @param config the resolved config, key to value as printed; {@code train.lr} and its schedule
     *               ({@link LearningRates}), when present, give the learning-rate plot
     * @return the report's path
     */
    public static Path write(Path dir, String title, Map<String, String> config) {
        Path metricsFile = dir.resolve("metrics.jsonl");
        Path evalFile = dir.resolve("eval.json");
        try {
            List<String> lines = Files.exists(metricsFile)
                    ? Files.readAllLines(metricsFile, StandardCharsets.UTF_8) : List.of();
            MetricsHistory history = MetricsHistory.parse(lines, metricsFile.toString(),
                    MetricNames.renames(config));
            JsonNode eval = null;
            if (Files.exists(evalFile)) {
                try {
                    eval = JSON.readTree(evalFile.toFile());
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(evalFile + ": not JSON: " + e.getOriginalMessage());
                }
            }
            String html = ReportPage.html(title, history, config, learningRate(config), eval);
            Path target = dir.resolve(FILE);
            // Not createTempFile: its owner-only permissions would stay on the report.
            Path tmp = dir.resolve("." + FILE + "." + ProcessHandle.current().pid() + ".tmp");
            try {
                Files.writeString(tmp, html, StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
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
