package io.sparkrnn.driver.corpus.lm;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.util.AccumulatorV2;

/**
 * Lines read per text split (split index to count), gathered while the vocabulary is counted so that the
 * encoding pass can name bad lines by their line number in the file. A retried or recomputed task puts the
 * same count again, so the value does not depend on retries.
 */
final class SplitLineCounts extends AccumulatorV2<long[], Map<Integer, Long>> {
    private static final long serialVersionUID = 1L;
    private HashMap<Integer, Long> counts = new HashMap<>();

    @Override
    public boolean isZero() {
        return counts.isEmpty();
    }

    @Override
    public AccumulatorV2<long[], Map<Integer, Long>> copy() {
        SplitLineCounts c = new SplitLineCounts();
        c.counts = new HashMap<>(counts);
        return c;
    }

    @Override
    public void reset() {
        counts = new HashMap<>();
    }

    /** {@code v = {split, lines}}. */
    @Override
    public void add(long[] v) {
        counts.put((int) v[0], v[1]);
    }

    @Override
    public void merge(AccumulatorV2<long[], Map<Integer, Long>> other) {
        counts.putAll(((SplitLineCounts) other).counts);
    }

    @Override
    public Map<Integer, Long> value() {
        return new HashMap<>(counts);
    }
}
