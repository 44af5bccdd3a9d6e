package io.sparkrnn.engine.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss over a minibatch: the summed loss, how many targets it covers, and the gradient with respect to
 * the head's outputs (already divided by the normaliser chosen by the caller).
 */
public record LossResult(double sum, long count, INDArray gradient) {
    /** Mean loss per counted target (NaN when nothing was counted). */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }
}
