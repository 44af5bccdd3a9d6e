package io.sparkrnn.bench;

/** One full training step over one batch of B sequences of T tokens: forward, backward, clip, update per window. */
interface TrainingStep {
    void trainOneBatch();
}
