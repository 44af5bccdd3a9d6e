package io.sparkrnn.engine.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which gradient clipping to apply before each optimizer step; 0 disables each kind.
 *
 * @param maxNorm  clip the global L2 norm to this value, or disable if == 0 (finite, &gt;= 0)
 * @param maxValue clamp every element to [-maxValue, maxValue], or disable if == 0 (finite, &gt;= 0)
 */
public record ClipConfig(double maxNorm, double maxValue) implements java.io.Serializable {

    public ClipConfig {
        nonNegative("maxNorm", maxNorm);
        nonNegative("maxValue", maxValue);
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0 (0 disables), found " + v);
        }
    }

    /** No clipping. */
    public static ClipConfig none() {
        return new ClipConfig(0, 0);
    }

    /** Global-norm clipping only. */
    public static ClipConfig byNorm(double maxNorm) {
        return new ClipConfig(maxNorm, 0);
    }

    /** Value clipping only. */
    public static ClipConfig byValue(double maxValue) {
        return new ClipConfig(0, maxValue);
    }

    /**
     * Clips {@code grads} in place: first to the global norm (see {@link GradientClipping#clipByGlobalNorm}), then
     * by value. The norm is always computed, so it can be logged even with clipping disabled. If it is not finite
     * nothing is clipped and the result says so through {@link ClipResult#finite()}.
     */
    public ClipResult apply(INDArray grads) {
        double before = GradientClipping.globalNorm(grads);
        if (!Double.isFinite(before)) {
            return new ClipResult(before, before, false, false);
        }
        boolean byNorm = maxNorm > 0 && GradientClipping.scaleToNorm(grads, before, maxNorm);
        boolean byValue = maxValue > 0 && GradientClipping.exceeds(grads, maxValue);
        if (byValue) {
            GradientClipping.clipByValue(grads, maxValue);
        }
        double after = byNorm || byValue ? GradientClipping.globalNorm(grads) : before;
        return new ClipResult(before, after, byNorm, byValue);
    }
}
