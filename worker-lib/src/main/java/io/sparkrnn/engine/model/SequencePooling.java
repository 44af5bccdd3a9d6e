package io.sparkrnn.engine.model;

import io.sparkrnn.engine.param.Views;
import io.sparkrnn.engine.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The per-sequence pooling of a {@link SequenceModel}'s recurrent output [T, B, W] to [B, W] for its head: the
 * mean over each row's valid steps, summed across the windows of a sequence longer than one window (the running
 * sum and count are carried in {@link ModelState}), or the last valid step (for a bidirectional stack, the
 * reverse direction's output at step 0); and the gradient of the pooled vector spread back over the steps.
 */
final class SequencePooling {
    private final SequenceSpec spec;

    SequencePooling(SequenceSpec spec) {
        this.spec = spec;
    }

    /** What pooling one window produced, for its backward pass and the carry: its masked sum, the counts. */
    static final class Window {
        INDArray sum;
        INDArray count;
    }

    /**
     * Pooled representation [B, W] of {@code out} (masked by {@code mask}, null when every step is valid), or null
     * when the window does not end its sequences.
     */
    INDArray pool(INDArray out, INDArray mask, SequenceBatch batch, ModelState state, Window w) {
        int t = batch.steps();
        int h = spec.hiddenSize();
        if (spec.pooling() == SequenceSpec.Pooling.MEAN) {
            INDArray masked = mask == null ? out : out.mul(mask.reshape(t, batch.batchSize(), 1));
            w.sum = masked.sum(0);
            if (!batch.isLast()) {
                return null;
            }
            INDArray sum = state.poolSum == null ? w.sum.dup() : w.sum.add(state.poolSum);
            w.count = counts(batch, state, out.dataType());
            return sum.diviColumnVector(w.count);
        }
        if (!batch.isLast()) {
            return null;
        }
        // Last valid step: the forward direction's state stops changing after each row's end, so it is the
        // output at T-1; the reverse direction ends at step 0.
        INDArray last = Tensors.step(out, t - 1).dup();
        if (spec.bidirectional()) {
            last.get(NDArrayIndex.all(), NDArrayIndex.interval(h, 2L * h))
                    .assign(Tensors.step(out, 0).get(NDArrayIndex.all(), NDArrayIndex.interval(h, 2L * h)));
        }
        return last;
    }

    private static INDArray counts(SequenceBatch batch, ModelState state, DataType dt) {
        double[] n = new double[batch.batchSize()];
        for (int r = 0; r < n.length; r++) {
            n[r] = batch.lengths()[r] + (state.poolCount == null ? 0 : state.poolCount[r]);
            if (n[r] == 0) {
                throw new IllegalArgumentException("row " + r + " has no valid step to pool");
            }
        }
        return Nd4j.createFromArray(n).castTo(dt).reshape(n.length, 1);
    }

    /** Spreads the gradient of the pooled vector [B, W] back over the output sequence {@code out} [T, B, W]. */
    INDArray unpool(INDArray dPooled, INDArray out, INDArray mask, Window w, SequenceBatch batch) {
        int t = batch.steps();
        int b = batch.batchSize();
        int h = spec.hiddenSize();
        INDArray d = Nd4j.zeros(out.dataType(), out.shape());
        if (spec.pooling() == SequenceSpec.Pooling.MEAN) {
            // pooled = sum / n, so d out[s] = mask[s] * dPooled / n
            INDArray scaled = dPooled.divColumnVector(w.count);
            for (int s = 0; s < t; s++) {
                INDArray ds = Tensors.step(d, s).assign(scaled);
                if (mask != null) {
                    ds.muliColumnVector(Views.of(mask, (long) s * b, b, 1));
                }
            }
            return d;
        }
        if (spec.bidirectional()) {
            Tensors.step(d, t - 1).get(NDArrayIndex.all(), NDArrayIndex.interval(0, h))
                    .assign(dPooled.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h)));
            Tensors.step(d, 0).get(NDArrayIndex.all(), NDArrayIndex.interval(h, 2L * h))
                    .addi(dPooled.get(NDArrayIndex.all(), NDArrayIndex.interval(h, 2L * h)));
        } else {
            Tensors.step(d, t - 1).assign(dPooled);
        }
        return d;
    }

    /**
     * Mean pooling across windows: adds the window's sum and lengths to the state's running ones, or clears them
     * when the window ended its sequences.
     */
    void carry(Window w, SequenceBatch batch, ModelState state) {
        if (batch.isLast()) {
            state.poolSum = null;
            state.poolCount = null;
            return;
        }
        state.poolSum = state.poolSum == null ? w.sum.dup() : state.poolSum.addi(w.sum);
        if (state.poolCount == null) {
            state.poolCount = new double[batch.batchSize()];
        }
        for (int r = 0; r < batch.batchSize(); r++) {
            state.poolCount[r] += batch.lengths()[r];
        }
    }
}
