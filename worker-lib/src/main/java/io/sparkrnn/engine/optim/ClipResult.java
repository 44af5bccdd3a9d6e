package io.sparkrnn.engine.optim;

/**
 * What {@link ClipConfig#apply} did to one gradient vector.
 *
 * @param normBefore  global L2 norm before clipping (NaN or infinite if the gradient was not finite)
 * @param normAfter   global L2 norm of the vector as left after clipping ({@code normBefore} if nothing fired)
 * @param normClipped whether the vector was scaled down to the maximum norm
 * @param valueClipped whether any element was clamped to the maximum value
 */
public record ClipResult(double normBefore, double normAfter, boolean normClipped, boolean valueClipped) {

    /** False if the gradient held NaN or infinite values; then nothing was clipped. */
    public boolean finite() {
        return Double.isFinite(normBefore);
    }
}
