package io.sparkrnn.driver.corpus.forecast;

import io.sparkrnn.driver.corpus.batching.ShuffledPartition;
import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.engine.model.SequenceBatch;

/**
 * One partition's batches of forecasting windows (float features, one target vector per window). Every batch
 * holds exactly {@code batchSize} windows of W steps; batch order is reshuffled each epoch from
 * (seed, partition, epoch) ({@link ShuffledPartition}), so {@link #batch} is a pure function of the step.
 */
final class WindowPartition extends ShuffledPartition<SequenceBatch> implements SequencePartition {
    private static final long serialVersionUID = 1L;
    private final int steps;
    private final int features;
    private final int outputs;
    /** Per batch: the windows' inputs row after row ({@code [B][W * F]} flattened) and targets ({@code [B * K]}). */
    private final float[][] inputs;
    private final float[][] targets;

    WindowPartition(int partition, long seed, int batchSize, int steps, int features, int outputs, float[][] inputs,
            float[][] targets) {
        super(partition, seed, batchSize, inputs.length);
        this.steps = steps;
        this.features = features;
        this.outputs = outputs;
        this.inputs = inputs;
        this.targets = targets;
    }

    /** Batch {@code k} in storage order as a time-major {@code [W, B, F]} batch. */
    @Override
    protected SequenceBatch stored(int k) {
        int b = batchSize();
        int f = features;
        float[] x = new float[steps * b * f];
        for (int r = 0; r < b; r++) {
            for (int t = 0; t < steps; t++) {
                System.arraycopy(inputs[k], (r * steps + t) * f, x, (t * b + r) * f, f);
            }
        }
        int[] lengths = new int[b];
        java.util.Arrays.fill(lengths, steps);
        return SequenceBatch.pooledFeatures(steps, b, f, x, lengths, targets[k].clone(), outputs);
    }
}
