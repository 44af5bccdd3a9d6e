package io.sparkrnn.driver.round;

import java.io.Serializable;
import java.util.Map;

/**
 * One partition's inner optimizer state under {@code train.inner-state = keep}: its vectors by the optimizer's
 * names ({@code exp_avg}, {@code exp_avg_sq}; none for plain SGD), each of the model's layout, and the optimizer's
 * step count (Adam's bias correction), which differs between partitions when a partition skipped a step.
 */
public record KeptState(Map<String, float[]> vectors, long steps) implements Serializable {
    public KeptState {
        if (vectors == null || steps < 0) {
            throw new IllegalArgumentException("kept state needs its vectors and a step count >= 0, found "
                    + (vectors == null ? "no vectors" : "steps " + steps));
        }
    }

    /** Bytes of its vectors as float32. */
    public long bytes() {
        long n = 0;
        for (float[] v : vectors.values()) {
            n += 4L * v.length;
        }
        return n;
    }
}
