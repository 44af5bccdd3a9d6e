package io.sparkrnn.engine.train;

/**
 * What one optimizer step did.
 *
 * @param step           optimizer steps taken before this one
 * @param lossSum        summed loss over the window's counted targets (nats for cross-entropy)
 * @param count          targets counted (tokens, sequences or regression values)
 * @param gradNormBefore global L2 norm of the gradient before clipping
 * @param gradNormAfter  global L2 norm after clipping
 * @param lr             learning rate used
 * @param clipped        whether a clip fired
 * @param skipped        whether the update was skipped because the loss or gradient was not finite
 */
public record StepReport(long step, double lossSum, long count, double gradNormBefore, double gradNormAfter,
        double lr, boolean clipped, boolean skipped) {
    /** Mean loss per counted target. */
    public double loss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }
}
