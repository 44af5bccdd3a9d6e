package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.round.InnerStatePolicy;
import io.sparkrnn.driver.round.OuterOptimizer;
import io.sparkrnn.driver.round.ReplicaSetup;
import io.sparkrnn.driver.round.RoundConfig;
import io.sparkrnn.driver.round.RoundTaskMode;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.optim.OptimizerType;
import io.sparkrnn.engine.tensor.Precision;
import io.sparkrnn.engine.train.TbpttConfig;
import java.util.Locale;

/**
 * The {@code train.*} and {@code eval.*} keys: batches and partitions, the inner optimizer with its schedule and
 * truncated-BPTT settings, the round loop's outer step, and how long the run goes and how often it validates.
 *
 * @param batch         {@code train.batch}: sequences per batch on each partition
 * @param k1            {@code train.k1}: truncated-BPTT forward length
 * @param seed          {@code train.seed}
 * @param partitions    {@code train.partitions}
 * @param engineThreads {@code train.engine-threads}
 * @param precision     {@code train.precision}: the arithmetic of the training step's matrix products
 * @param rounds        {@code train.rounds}
 * @param maxMinutes    {@code train.max-minutes}: 0 = no budget
 * @param evalEvery     {@code eval.every}: validate every this many rounds (and at the end)
 * @param inner         the inner optimizer ({@code train.optimizer}, {@code train.weight-decay})
 * @param schedule      the inner learning rate ({@link LearningRates})
 * @param tbptt         {@code train.k1}, {@code train.k2}, {@code train.clip}, {@code train.seed}
 * @param round         the round loop: {@code train.local-steps}, {@code train.outer*}, {@code train.global-clip},
 *                      {@code train.inner-state}, {@code train.round-tasks}
 */
public record TrainSection(int batch, int k1, long seed, int partitions, int engineThreads, Precision precision,
        long rounds,
        double maxMinutes, int evalEvery, OptimizerConfig inner, LrSchedule schedule, TbpttConfig tbptt,
        RoundConfig round) {

    /** The rules among the optimizer's keys, which {@link #of} relies on. */
    static void check(JobConfig c) {
        int k1 = c.getInt("train.k1");
        int k2 = c.getInt("train.k2");
        if (k2 > k1) {
            throw new ConfigException(c.source() + ": train.k2 must be <= train.k1 = " + k1 + ", found " + k2);
        }
        double lr = c.getDouble("train.lr");
        if (!(lr > 0)) {
            throw new ConfigException(c.source() + ": train.lr must be > 0, found " + lr);
        }
        if (!(c.getDouble("train.outer-lr") > 0)) {
            throw new ConfigException(c.source() + ": train.outer-lr must be > 0, found "
                    + c.getDouble("train.outer-lr"));
        }
        if (c.getChoice("train.outer").equals("nesterov") && c.getDouble("train.outer-momentum") == 0) {
            throw new ConfigException(c.source() + ": train.outer = nesterov needs train.outer-momentum > 0");
        }
    }

    /** The section of a config that passed {@link #check}; throws for an impossible schedule. */
    static TrainSection of(JobConfig c) {
        OptimizerConfig inner = OptimizerConfig.defaults(OptimizerType.valueOf(
                c.getChoice("train.optimizer").toUpperCase(Locale.ROOT)));
        if (c.getDouble("train.weight-decay") > 0 || inner.type() == OptimizerType.ADAMW) {
            inner = inner.withWeightDecay(c.getDouble("train.weight-decay"));
        }
        double clip = c.getDouble("train.clip");
        long seed = c.getInt("train.seed");
        int k1 = c.getInt("train.k1");
        TbpttConfig tbptt = new TbpttConfig(k1, c.getInt("train.k2"), clip > 0 ? ClipConfig.byNorm(clip)
                : ClipConfig.none(), seed);
        double globalClip = c.getDouble("train.global-clip");
        double outerLr = c.getDouble("train.outer-lr");
        OuterOptimizer.Config outer = c.getChoice("train.outer").equals("plain")
                ? new OuterOptimizer.Config(OuterOptimizer.Type.PLAIN, outerLr, 0)
                : OuterOptimizer.Config.nesterov(outerLr, c.getDouble("train.outer-momentum"));
        RoundConfig round = RoundConfig.defaults(c.getInt("train.local-steps"))
                .withClipNorm(globalClip > 0 ? globalClip : Double.POSITIVE_INFINITY)
                .withOuter(outer)
                .withInnerState(InnerStatePolicy.valueOf(c.getChoice("train.inner-state").toUpperCase(Locale.ROOT)))
                .withTasks(RoundTaskMode.parse(c.getChoice("train.round-tasks")));
        return new TrainSection(c.getInt("train.batch"), k1, seed, c.getInt("train.partitions"),
                c.getInt("train.engine-threads"), Precision.parse(c.getChoice("train.precision")),
                c.getInt("train.rounds"), c.getDouble("train.max-minutes"),
                c.getInt("eval.every"), inner, LearningRates.of(c), tbptt, round);
    }

    /** What every replica of the round loop builds its model and optimizer from, for the task's model. */
    public ReplicaSetup setup(ModelSpec spec) {
        return new ReplicaSetup(spec, inner, schedule, tbptt, engineThreads, precision);
    }
}
