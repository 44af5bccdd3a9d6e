package io.sparkrnn.jobs.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rounds of a run as columns, read from its {@code metrics.jsonl} lines (one JSON object a round, as
 * written by {@code RoundMetrics.toJson} plus the task's {@code valid_*} fields on the rounds that validated).
 *
 * <p>Every numeric field becomes a column with one entry a line ({@code null} where a line lacks it or holds a
 * non-finite value), so a task's own validation metrics are plotted without the report knowing them. Two
 * columns are derived: {@code tokens_seen} (running sum of the per-round {@code tokens}) and {@code time_s}
 * (running sum of {@code seconds_total}), the x axes of the loss plots. Boolean fields become the lists of
 * rounds where they are true ({@code clipped}, {@code rejected}). The {@code valid_samples} arrays (the model's
 * outputs on fixed held-out examples) are kept by round. Fields may be renamed while reading: a run written before a
 * metric got its present name is read under that name (e.g. a word-target seq2seq's {@code valid_per}, which was
 * its token error rate, as {@code valid_ter}).
 */
public final class MetricsHistory {
    /** Derived x axes. */
    public static final String TOKENS_SEEN = "tokens_seen";
    public static final String TIME = "time_s";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The field of the samples. */
    public static final String SAMPLES = "valid_samples";

    private final Map<String, List<Double>> columns;
    private final Map<String, List<Long>> events;
    private final Map<Long, JsonNode> samples;
    private final int size;

    private MetricsHistory(Map<String, List<Double>> columns, Map<String, List<Long>> events,
            Map<Long, JsonNode> samples, int size) {
        this.columns = columns;
        this.events = events;
        this.samples = samples;
        this.size = size;
    }

    /** As {@link #parse(List, String, Map)} with no renames. */
    public static MetricsHistory parse(List<String> lines, String source) {
        return parse(lines, source, Map.of());
    }

    /**
     * Parses metrics lines; blank lines are skipped.
     *
     * @param source named in errors (the file)
     * @param renames old field name to present name
     * @throws IllegalArgumentException naming the source and line when a line is not a JSON object
     */
    public static MetricsHistory parse(List<String> lines, String source, Map<String, String> renames) {
        Map<String, List<Double>> columns = new LinkedHashMap<>();
        Map<String, List<Long>> events = new LinkedHashMap<>();
        Map<Long, JsonNode> samples = new LinkedHashMap<>();
        int n = 0;
        double tokens = 0;
        double time = 0;
        columns.put(TOKENS_SEEN, new ArrayList<>());
        columns.put(TIME, new ArrayList<>());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode row;
            try {
                row = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": not JSON: "
                        + e.getOriginalMessage());
            }
            if (row == null || !row.isObject()) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": expected a JSON object, found "
                        + line);
            }
            long round = row.path("round").asLong(n);
            for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String name = renames.getOrDefault(f.getKey(), f.getKey());
                JsonNode v = f.getValue();
                if (name.equals(SAMPLES) && v.isArray()) {
                    samples.put(round, v);
                } else if (v.isBoolean()) {
                    List<Long> rounds = events.computeIfAbsent(name, k -> new ArrayList<>());
                    if (v.booleanValue()) {
                        rounds.add(round);
                    }
                } else if (v.isNumber() || v.isNull()) {
                    List<Double> col = columns.computeIfAbsent(name, k -> nulls(columns.get(TIME).size()));
                    col.add(v.isNumber() && Double.isFinite(v.doubleValue()) ? v.doubleValue() : null);
                }
            }
            tokens += row.path("tokens").asDouble(0);
            time += row.path("seconds_total").asDouble(0);
            columns.get(TOKENS_SEEN).add(tokens);
            columns.get(TIME).add(time);
            n++;
            // A field this line lacks stays aligned with the rounds.
            for (List<Double> col : columns.values()) {
                while (col.size() < n) {
                    col.add(null);
                }
            }
        }
        return new MetricsHistory(columns, events, samples, n);
    }

    private static List<Double> nulls(int n) {
        return new ArrayList<>(Collections.nCopies(n, null));
    }

    /** Rounds read. */
    public int size() {
        return size;
    }

    /** Numeric columns by field name, each {@link #size()} long; {@code null} entries where not measured. */
    public Map<String, List<Double>> columns() {
        return Collections.unmodifiableMap(columns);
    }

    /** Rounds where a boolean field was true, by field name. */
    public Map<String, List<Long>> events() {
        return Collections.unmodifiableMap(events);
    }

    /** The samples of the rounds that wrote some (0-based round to its array of {source, reference, output}). */
    public Map<Long, JsonNode> samples() {
        return Collections.unmodifiableMap(samples);
    }

    /** The validation metrics found ({@code valid_*} numeric fields), in first-seen order. */
    public List<String> validationFields() {
        return columns.keySet().stream().filter(k -> k.startsWith("valid_")).toList();
    }
}
