package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.train.TbpttConfig;
import java.io.Serializable;

/**
 * What every task needs to build its local replica: the model spec, the inner optimizer, its schedule
 * (indexed by global inner step r*H + j) and the truncated-BPTT settings.
 */
public record WorkerSetup(ModelSpec spec, OptimizerConfig inner, LrSchedule schedule, TbpttConfig tbptt)
        implements Serializable {
    public WorkerSetup {
        if (spec == null || inner == null || schedule == null || tbptt == null) {
            throw new IllegalArgumentException("spec, inner optimizer, schedule and tbptt settings are required");
        }
    }
}
