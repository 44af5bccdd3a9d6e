package io.sparkrnn.engine.model;

import io.sparkrnn.engine.layer.StackState;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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

    /**
     * A copy of rows {@code [from, to)}, for one row block of a batch-parallel step; {@link #setRows} writes it
     * back.
     */
    public ModelState rows(int from, int to) {
        ModelState s = new ModelState(stack.rows(from, to));
        if (poolSum != null) {
            s.poolSum = poolSum.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c');
            s.poolCount = java.util.Arrays.copyOfRange(poolCount, from, to);
        }
        return s;
    }

    /** Overwrites rows {@code [from, from + block.batchSize())} with a row block's state (see {@link #rows}). */
    public void setRows(int from, ModelState block) {
        stack.setRows(from, block.stack);
        int to = from + block.batchSize();
        if (block.poolSum == null) {
            // The block's window ended its sequences (or it pools by the last step): so did the whole batch's.
            poolSum = null;
            poolCount = null;
            return;
        }
        if (poolSum == null) {
            poolSum = Nd4j.zeros(block.poolSum.dataType(), batchSize(), block.poolSum.size(1));
            poolCount = new double[batchSize()];
        }
        poolSum.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(block.poolSum);
        System.arraycopy(block.poolCount, 0, poolCount, from, block.batchSize());
    }

    /** A deep copy. */
    public ModelState copy() {
        ModelState s = new ModelState(stack.copy());
        s.poolSum = poolSum == null ? null : poolSum.dup();
        s.poolCount = poolCount == null ? null : poolCount.clone();
        return s;
    }
}
