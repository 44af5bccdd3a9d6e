package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.train.TbpttConfig;

/**
 * The replica setup of a sequence model: the model spec, the inner optimizer, its schedule (indexed by global
 * inner step r*H + j) and the truncated-BPTT settings. Trains on {@link PartitionData}.
 */
public record WorkerSetup(ModelSpec spec, OptimizerConfig inner, LrSchedule schedule, TbpttConfig tbptt)
        implements ReplicaSetup {
    public WorkerSetup {
        if (spec == null || inner == null || schedule == null || tbptt == null) {
            throw new IllegalArgumentException("spec, inner optimizer, schedule and tbptt settings are required");
        }
    }

    @Override
    public long parameterCount() {
        return new SequenceModel(spec).layout().size();
    }
}
