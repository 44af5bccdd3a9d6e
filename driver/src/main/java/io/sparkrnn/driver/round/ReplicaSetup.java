package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.tensor.Precision;
import io.sparkrnn.engine.train.TbpttConfig;
import java.io.Serializable;

/**
 * What every task needs to build its local replica: the model, the inner optimizer, its schedule (indexed by
 * global inner step r*H + j), the inner step's settings and the engine threads of each replica. The same for both
 * model families; the replica that trains each is chosen by {@link Replica} ({@link SequenceReplica}: truncated
 * BPTT on {@link SequencePartition}, {@link Seq2SeqReplica}: one step per batch of pairs). Everything else in the
 * round loop (broadcast, delta, ordered aggregation, rejection, clipping, outer step, inner-state policies) is the
 * same for both.
 *
 * @param spec          the model
 * @param inner         the inner optimizer of every replica
 * @param schedule      the inner learning rate by global inner step r*H + j
 * @param tbptt         local gradient clipping and the seed of the dropout masks (every model), and the window
 *                      lengths k1, k2 (a sequence model's truncated BPTT; an encoder-decoder model reads each pair
 *                      whole)
 * @param engineThreads threads of each replica's step: 1, or more for the batch-parallel step of
 *                      {@link io.sparkrnn.engine.train.TbpttTrainer} (sequence models)
 * @param precision     the arithmetic of each replica's matrix products ({@code train.precision})
 */
public record ReplicaSetup(ModelSpec spec, OptimizerConfig inner, LrSchedule schedule, TbpttConfig tbptt,
        int engineThreads, Precision precision) implements Serializable {
    public ReplicaSetup {
        if (spec == null || inner == null || schedule == null || tbptt == null || precision == null) {
            throw new IllegalArgumentException("spec, inner optimizer, schedule, tbptt settings and precision are "
                    + "required (ClipConfig.none() in them for no clipping)");
        }
        if (engineThreads < 1) {
            throw new IllegalArgumentException("engine threads must be >= 1, found " + engineThreads);
        }
    }

    /** float32 products. */
    public ReplicaSetup(ModelSpec spec, OptimizerConfig inner, LrSchedule schedule, TbpttConfig tbptt,
            int engineThreads) {
        this(spec, inner, schedule, tbptt, engineThreads, Precision.FLOAT32);
    }

    /** One engine thread per replica, float32 products. */
    public ReplicaSetup(ModelSpec spec, OptimizerConfig inner, LrSchedule schedule, TbpttConfig tbptt) {
        this(spec, inner, schedule, tbptt, 1);
    }

    /**
     * The setup of partition {@code partition}'s replica: its dropout masks are seeded by the run's seed and the
     * partition, so that partitions draw different masks on their different data (with one seed for all, every
     * partition would drop the same units at the same step) while a retried or resumed task draws the same.
     */
    public ReplicaSetup forPartition(int partition) {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, found " + partition);
        }
        long seed = tbptt.seed() + (partition + 1L) * 0xD1B54A32D192ED03L;
        return new ReplicaSetup(spec, inner, schedule, new TbpttConfig(tbptt.k1(), tbptt.k2(), tbptt.clip(), seed),
                engineThreads, precision);
    }

    /** Length of the model's flat parameter vector. */
    public long parameterCount() {
        return spec.layout().size();
    }
}
