package io.sparkrnn.driver.round;

import java.io.Serializable;

/**
 * The training data of one partition as a deterministic stream of batches of type {@code B}: batch {@code s}
 * is a pure function of the data, the seed and {@code s}, so round r consumes batches [r*H, (r+1)*H) and a
 * retried task recomputes the same ones. {@link SequencePartition} gives sequence batches (language models,
 * taggers, classifiers); {@code corpus.pairs.PairPartition} gives batches of (source, target) pairs.
 * The replica checks that the batches fit its model.
 *
 * @param <B> the batch type the model trains on
 */
public interface TrainingPartition<B> extends Serializable {

    /** The batch at position {@code step} of this partition's stream (positions wrap around by epoch). */
    B batch(long step);

    /**
     * Whether the batch at {@code step} starts new sequences (a recurrent state carried between batches is
     * reset before it); always true for data whose batches are independent.
     */
    boolean startsSequence(long step);

    /** Batches in one pass over this partition. */
    long batchesPerEpoch();

    /** Rows per batch (the carried state's batch size). */
    int batchSize();
}
