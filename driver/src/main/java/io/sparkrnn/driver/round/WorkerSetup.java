package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.train.TbpttConfig;

/**
 * The replica setup of a sequence model: the model spec, the inner optimizer, its schedule (indexed by global
 * inner step r*H + j), the truncated-BPTT settings and the engine threads of each replica (1, or more for the
 * batch-parallel step of {@link io.sparkrnn.engine.train.TbpttTrainer}). Trains on {@link PartitionData}.
 */
public record WorkerSetup(SequenceSpec spec, OptimizerConfig inner, LrSchedule schedule, TbpttConfig tbptt,
        int engineThreads) implements ReplicaSetup {
    public WorkerSetup {
        if (spec == null || inner == null || schedule == null || tbptt == null) {
            throw new IllegalArgumentException("spec, inner optimizer, schedule and tbptt settings are required");
        }
        if (engineThreads < 1) {
            throw new IllegalArgumentException("engine threads must be >= 1, found " + engineThreads);
        }
    }

    /** One engine thread per replica. */
    public WorkerSetup(SequenceSpec spec, OptimizerConfig inner, LrSchedule schedule, TbpttConfig tbptt) {
        this(spec, inner, schedule, tbptt, 1);
    }

    /** The same setup for another model spec. */
    public WorkerSetup withSpec(SequenceSpec other) {
        return new WorkerSetup(other, inner, schedule, tbptt, engineThreads);
    }

    @Override
    public long parameterCount() {
        return new SequenceModel(spec).layout().size();
    }
}
