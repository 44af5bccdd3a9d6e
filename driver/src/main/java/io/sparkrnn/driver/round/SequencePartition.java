package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.SequenceBatch;

/**
 * A partition of sequence batches for a {@code SequenceModel} (language models: a token stream whose state
 * carries across batches; taggers and classifiers: independent sequences), see {@link TrainingPartition}.
 */
public interface SequencePartition extends TrainingPartition<SequenceBatch> {
}
