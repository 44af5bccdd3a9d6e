package io.sparkrnn.driver.round;

import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import java.io.Serializable;

/**
 * What every task needs to build its local replica, one kind per model family: {@link WorkerSetup} for sequence
 * models trained by truncated BPTT, {@link Seq2SeqSetup} for encoder-decoder models. Everything else in the
 * round loop (broadcast, delta, ordered aggregation, rejection, clipping, outer step, inner-state policies) is
 * the same for both.
 */
public sealed interface ReplicaSetup extends Serializable permits WorkerSetup, Seq2SeqSetup {

    /** The inner optimizer of every replica. */
    OptimizerConfig inner();

    /** The inner learning rate by global inner step r*H + j. */
    LrSchedule schedule();

    /** Length of the model's flat parameter vector. */
    long parameterCount();
}
