package io.sparkrnn.driver.checkpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a checkpoint holds besides the trainer's state: provenance and the run's bookkeeping, all stored in
 * {@code state.json}.
 *
 * @param seeds      the run's seeds by name ("seed", "tbptt", ...)
 * @param counters   other positions to resume from by name (epoch, data cursors, ...); may be empty
 * @param config     the resolved configuration, key -&gt; value as the user would write it
 * @param metrics    the metrics history so far, one JSON object per line (round metrics, validation, ...)
 * @param validation the validation score of this checkpoint's round (lower is better), or null when its round was
 *                   not validated
 * @param best       the best validated round of the run so far (this one or an earlier one), or null when none was
 *                   validated or the checkpoint was written before runs tracked it
 */
public record RunInfo(Map<String, Long> seeds, Map<String, Long> counters, Map<String, String> config,
        List<String> metrics, Double validation, Best best) {

    /**
     * The run's best validated round so far, by the metric early stopping watches, and how many validations
     * since then did not improve on it. Retention never deletes its checkpoint ({@link CheckpointStore#bestRound}),
     * and a resumed run continues the same early-stopping decision from it.
     *
     * @param metric          the validation figure, e.g. {@code mae}
     * @param round           the round of the best validation
     * @param value           the figure at that round
     * @param sinceBest       validations after it that did not improve on it
     */
    public record Best(String metric, long round, double value, int sinceBest) {
        public Best {
            Objects.requireNonNull(metric, "metric");
            if (round < 1 || sinceBest < 0 || Double.isNaN(value)) {
                throw new IllegalArgumentException("best round must be >= 1 with a number and sinceBest >= 0, found "
                        + round + ", " + value + ", " + sinceBest);
            }
        }
    }

    /** Without a best round (a run that has not validated). */
    public RunInfo(Map<String, Long> seeds, Map<String, Long> counters, Map<String, String> config,
            List<String> metrics, Double validation) {
        this(seeds, counters, config, metrics, validation, null);
    }

    public RunInfo {
        seeds = Collections.unmodifiableMap(new LinkedHashMap<>(seeds == null ? Map.of() : seeds));
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters == null ? Map.of() : counters));
        config = Collections.unmodifiableMap(new TreeMap<>(config == null ? Map.of() : config));
        metrics = List.copyOf(metrics == null ? List.of() : metrics);
        if (validation != null && Double.isNaN(validation)) {
            throw new IllegalArgumentException("validation metric must be a number or null, found NaN");
        }
    }

    /** The config as text: "key=value" lines sorted by key; {@link #configHash} hashes exactly this. */
    public String configText() {
        return configText(config);
    }

    /** SHA-256 (hex) of {@link #configText}. */
    public String configHash() {
        return configHash(config);
    }

    /** "key=value" lines sorted by key. */
    public static String configText(Map<String, String> config) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(config).forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.toString();
    }

    /** SHA-256 (hex) of {@link #configText(Map)}. */
    public static String configHash(Map<String, String> config) {
        return sha256(configText(config).getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
