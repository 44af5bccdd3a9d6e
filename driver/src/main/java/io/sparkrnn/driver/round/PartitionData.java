package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.SequenceBatch;
import java.io.Serializable;

/**
 * The training data of one partition as a deterministic stream of batches: batch {@code s} is a pure
 * function of the data, the seed and {@code s}, so round r consumes batches [r*H, (r+1)*H) and a retried task
 * recomputes the same ones.
 */
public interface PartitionData extends Serializable {

    /** The batch at position {@code step} of this partition's stream (positions wrap around by epoch). */
    SequenceBatch batch(long step);

    /** Whether the batch at {@code step} starts new sequences (the recurrent state is reset before it). */
    boolean startsSequence(long step);

    /** Batches in one pass over this partition. */
    long batchesPerEpoch();

    /** Rows per batch (the state's batch size). */
    int batchSize();
}
