package io.sparkrnn.driver.corpus.batching;

import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.engine.model.SequenceBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * One partition's batches of independent sequences (tagging: aligned targets; classification: one label per
 * row). Each batch holds exactly {@code batchSize} rows, stored compactly (concatenated ids plus row lengths)
 * and padded only when asked for. Batch order is reshuffled every epoch with a generator derived from
 * (seed, partition, epoch), so {@link #batch} is a pure function of the data, the seed and the step; every
 * batch starts new sequences.
 */
final class BatchedPartition extends ShuffledPartition<SequenceBatch> implements SequencePartition {
    private static final long serialVersionUID = 1L;
    private final boolean aligned;
    private final int paddingId;
    private final int ignoreIndex;
    /** Per batch: concatenated input ids of its rows, row lengths, concatenated tags (aligned) or labels. */
    private final int[][] ids;
    private final int[][] lengths;
    private final int[][] targets;

    BatchedPartition(int partition, long seed, int batchSize, boolean aligned, int paddingId, int ignoreIndex,
            int[][] ids, int[][] lengths, int[][] targets) {
        super(partition, seed, batchSize, ids.length);
        this.aligned = aligned;
        this.paddingId = paddingId;
        this.ignoreIndex = ignoreIndex;
        this.ids = ids;
        this.lengths = lengths;
        this.targets = targets;
    }

    /** Batch {@code k} in storage order (before the epoch shuffle), padded to its longest row. */
    @Override
    protected SequenceBatch stored(int k) {
        List<int[]> in = new ArrayList<>(batchSize());
        List<int[]> out = new ArrayList<>(batchSize());
        int at = 0;
        for (int r = 0; r < batchSize(); r++) {
            int len = lengths[k][r];
            int[] row = new int[len];
            System.arraycopy(ids[k], at, row, 0, len);
            in.add(row);
            if (aligned) {
                int[] tag = new int[len];
                System.arraycopy(targets[k], at, tag, 0, len);
                out.add(tag);
            }
            at += len;
        }
        return aligned ? SequenceBatch.padAligned(in, out, paddingId, ignoreIndex)
                : SequenceBatch.padPooled(in, targets[k].clone(), paddingId);
    }

    /** Real (unpadded) tokens in this partition. */
    public long tokens() {
        long t = 0;
        for (int[] b : ids) {
            t += b.length;
        }
        return t;
    }

    /** Padding share of each batch: {@code 1 - tokens / (T * B)}, T the batch's longest row. */
    public double[] paddingShares() {
        double[] s = new double[ids.length];
        for (int k = 0; k < ids.length; k++) {
            int max = 0;
            for (int len : lengths[k]) {
                max = Math.max(max, len);
            }
            s[k] = 1.0 - (double) ids[k].length / ((double) max * batchSize());
        }
        return s;
    }
}
