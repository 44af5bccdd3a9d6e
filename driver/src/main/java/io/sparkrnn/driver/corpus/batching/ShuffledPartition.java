package io.sparkrnn.driver.corpus.batching;

import io.sparkrnn.driver.round.TrainingPartition;

/**
 * A partition of independent batches, stored once and visited in a new order every epoch by an
 * {@link EpochOrder} drawn from (seed, partition, epoch): {@link #batch} is a pure function of the data, the seed
 * and the step, and every batch starts new sequences. Subclasses store the batches and build batch {@code k} in
 * storage order ({@link #stored}).
 *
 * @param <B> the batch type the model trains on
 */
public abstract class ShuffledPartition<B> implements TrainingPartition<B> {
    private static final long serialVersionUID = 1L;
    private final int partition;
    private final long seed;
    private final int batchSize;
    private final int batches;
    private transient EpochOrder order;

    /**
     * @param batches the number of stored batches, at least one
     * @throws IllegalArgumentException naming the partition when it has no batches
     */
    protected ShuffledPartition(int partition, long seed, int batchSize, int batches) {
        if (batches == 0) {
            throw new IllegalArgumentException("partition " + partition + " has no batches");
        }
        this.partition = partition;
        this.seed = seed;
        this.batchSize = batchSize;
        this.batches = batches;
    }

    /** Batch {@code k} in storage order (before the epoch shuffle). */
    protected abstract B stored(int k);

    @Override
    public final B batch(long step) {
        return stored(order().batchAt(step));
    }

    /** The batch order, rebuilt lazily on the executor that holds this partition. */
    private EpochOrder order() {
        if (order == null) {
            order = new EpochOrder(batches, seed, partition);
        }
        return order;
    }

    @Override
    public final boolean startsSequence(long step) {
        return true;
    }

    @Override
    public final long batchesPerEpoch() {
        return batches;
    }

    @Override
    public final int batchSize() {
        return batchSize;
    }
}
