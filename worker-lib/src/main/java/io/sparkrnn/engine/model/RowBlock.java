package io.sparkrnn.engine.model;

/**
 * Where a batch sits in a larger one whose gradient is computed block by block (a batch-parallel step): its rows
 * are rows {@code [firstRow, firstRow + B)} of a batch of {@code fullBatch} rows, and its loss gradient is divided
 * by {@code divisor}, the whole batch's target count ({@link SequenceModel#targetCount}), so that the gradients of
 * the blocks sum to the whole batch's gradient of {@code lossSum / count}. Dropout masks are drawn as for the
 * whole batch and cut to the block's rows.
 */
public record RowBlock(int firstRow, int fullBatch, long divisor) {
    public RowBlock {
        if (firstRow < 0 || firstRow >= fullBatch) {
            throw new IllegalArgumentException("first row must be in [0, " + fullBatch + "), found " + firstRow);
        }
        if (divisor < 0) {
            throw new IllegalArgumentException("divisor must be >= 0, found " + divisor);
        }
    }
}
