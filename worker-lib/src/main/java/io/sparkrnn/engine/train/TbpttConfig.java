package io.sparkrnn.engine.train;

import io.sparkrnn.engine.optim.ClipConfig;

/**
 * Truncated BPTT settings.
 *
 * @param k1   forward length: steps per window (one optimizer step per window)
 * @param k2   backward length: the last k2 steps of each window are back-propagated through the recurrence
 *             (1 &lt;= k2 &lt;= k1); the head is trained on every step of the window
 * @param clip gradient clipping by global L2 norm and/or by value (0 disables each)
 * @param seed seed of the dropout masks (derived per step)
 */
public record TbpttConfig(int k1, int k2, ClipConfig clip, long seed) implements java.io.Serializable {
    public TbpttConfig {
        if (k1 <= 0) {
            throw new IllegalArgumentException("k1 must be positive, found " + k1);
        }
        if (k2 <= 0 || k2 > k1) {
            throw new IllegalArgumentException("k2 must be in [1, k1 = " + k1 + "], found " + k2);
        }
        if (clip == null) {
            throw new IllegalArgumentException("clip config is required (use ClipConfig.none() to disable)");
        }
    }

    /** k1 = k2 = {@code k}, clipping by global norm {@code maxNorm} (0 = off). */
    public static TbpttConfig of(int k, double maxNorm, long seed) {
        return new TbpttConfig(k, k, maxNorm > 0 ? ClipConfig.byNorm(maxNorm) : ClipConfig.none(), seed);
    }
}
