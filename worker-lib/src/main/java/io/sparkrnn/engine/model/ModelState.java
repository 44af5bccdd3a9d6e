package io.sparkrnn.engine.model;

import io.sparkrnn.engine.layer.StackState;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a model carries from one window to the next within a batch of sequences: the recurrent state, and
 * for mean pooling the running sum of outputs and count of valid steps. Values are detached: no gradient
 * flows into the previous window (truncated BPTT).
 */
public final class ModelState {
    StackState stack;
    INDArray poolSum;
    double[] poolCount;

    ModelState(StackState stack) {
        this.stack = stack;
    }

    public StackState stack() {
        return stack;
    }

    public int batchSize() {
        return stack.batchSize();
    }

    /** A deep copy. */
    public ModelState copy() {
        ModelState s = new ModelState(stack.copy());
        s.poolSum = poolSum == null ? null : poolSum.dup();
        s.poolCount = poolCount == null ? null : poolCount.clone();
        return s;
    }
}
