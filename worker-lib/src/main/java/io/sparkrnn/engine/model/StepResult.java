package io.sparkrnn.engine.model;

/**
 * Loss of one forward (and backward) pass: summed loss over {@code count} targets (tokens for aligned
 * models, sequences or values for pooled ones). Gradients are of {@code sum / count}.
 */
public record StepResult(double lossSum, long count) {
    public double meanLoss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }
}
