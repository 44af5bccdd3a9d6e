package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.lm.StreamPartitions;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.GradientClipping;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.TbpttConfig;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class RoundTrainerTest {
    static JavaSparkContext sc;
    static final int VOCAB = 12;
    static final int LANES = 4;
    static final int STEPS = 6;
    static final SequenceSpec SPEC = SequenceSpec.languageModel(VOCAB, 5, CellType.LSTM, 8, 1, 0.0);

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("round-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    static int[] stream(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            // a learnable pattern with noise: mostly i mod VOCAB
            s[i] = r.nextInt(10) < 7 ? i % VOCAB : r.nextInt(VOCAB);
        }
        return s;
    }

    static float[] init() {
        return new SequenceModel(SPEC).initParams(5, DataType.FLOAT).flat().data().asFloat();
    }

    /**
     * H = 1, inner SGD without local clipping, plain outer step: each round equals one SGD step on the two
     * partitions' batches concatenated, with the gradient clipped by its global norm (threshold clip / lr); also
     * when each task runs its step on 2 engine threads (the batch-parallel step, 2 row blocks of 2 lanes).
     */
    @Test
    void oneLocalStepWithSgdAndPlainAveragingIsSynchronousSgd() {
        for (int threads : new int[] {1, 2}) {
            oneLocalStepWithSgdAndPlainAveragingIsSynchronousSgd(threads);
        }
    }

    private void oneLocalStepWithSgdAndPlainAveragingIsSynchronousSgd(int engineThreads) {
        double lr = 0.5;
        double gradClip = 0.05;
        ReplicaSetup setup = new ReplicaSetup(SPEC, OptimizerConfig.sgd(), LrSchedule.constant(lr),
                new TbpttConfig(STEPS, STEPS, ClipConfig.none(), 1), engineThreads);
        int[] data = stream(2 * (LANES * STEPS * 5 + 1) + 10, 1);
        JavaRDD<SequencePartition> rdd = StreamPartitions.of(sc, data, 2, LANES, STEPS);
        List<SequencePartition> parts = rdd.collect();
        RoundConfig cfg = RoundConfig.defaults(1).withClipNorm(lr * gradClip);
        int rounds = 4;
        float[] distributed;
        try (RoundTrainer t = new RoundTrainer(sc, setup, cfg, init())) {
            List<RoundMetrics> ms = t.train(rdd, rounds, m -> { });
            distributed = t.params();
            assertTrue(ms.stream().anyMatch(RoundMetrics::clipped), "the test should exercise the global clip");
        }

        // single process: concatenated batch of 2 x LANES rows, state carried, global clipping, SGD
        SequenceModel model = new SequenceModel(SPEC);
        FlatParams p = model.initParams(5, DataType.FLOAT);
        FlatParams g = p.zerosLike();
        ModelState state = model.initialState(2 * LANES, DataType.FLOAT);
        for (int r = 0; r < rounds; r++) {
            SequenceBatch b = concat(parts.get(0).batch(r), parts.get(1).batch(r));
            g.flat().assign(0);
            model.lossAndGradient(p, g, b, state, 0, 0);
            GradientClipping.clipByGlobalNorm(g.flat(), gradClip);
            p.flat().subi(g.flat().mul(lr));
        }
        float[] single = p.flat().data().asFloat();
        double maxDiff = 0;
        for (int i = 0; i < single.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(single[i] - distributed[i]));
        }
        System.out.println("H=1 SGD vs single-process SGD, " + engineThreads + " engine thread(s): max |diff| = "
                + maxDiff);
        assertTrue(maxDiff <= 1e-6, engineThreads + " engine thread(s): max |diff| " + maxDiff);
    }

    private static SequenceBatch concat(SequenceBatch a, SequenceBatch b) {
        int t = a.steps();
        int ba = a.batchSize();
        int bb = b.batchSize();
        int n = ba + bb;
        int[] tok = new int[t * n];
        int[] tgt = new int[t * n];
        for (int s = 0; s < t; s++) {
            for (int r = 0; r < ba; r++) {
                tok[s * n + r] = a.tokens()[s * ba + r];
                tgt[s * n + r] = a.targets()[s * ba + r];
            }
            for (int r = 0; r < bb; r++) {
                tok[s * n + ba + r] = b.tokens()[s * bb + r];
                tgt[s * n + ba + r] = b.targets()[s * bb + r];
            }
        }
        int[] len = new int[n];
        java.util.Arrays.fill(len, t);
        return SequenceBatch.alignedTokens(t, n, tok, len, tgt);
    }

    private static float[] run(int slowPartition, InnerStatePolicy policy, int fanIn) {
        ReplicaSetup setup = new ReplicaSetup(SPEC, OptimizerConfig.adam(), LrSchedule.constant(0.01),
                TbpttConfig.of(STEPS, 1.0, 3));
        JavaRDD<SequencePartition> rdd = StreamPartitions.of(sc, stream(5 * (LANES * STEPS * 4 + 1), 2), 5, LANES,
                STEPS);
        RoundConfig cfg = RoundConfig.defaults(3).withAggregationFanIn(fanIn).withInnerState(policy)
                .withOuter(OuterOptimizer.Config.nesterov(0.7, 0.5));
        try (RoundTrainer t = new RoundTrainer(sc, setup, cfg, init())) {
            t.withDeltaInterceptor((round, partition, delta) -> {
                if (partition == slowPartition) {
                    try {
                        Thread.sleep(150);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            t.train(rdd, 3, m -> { });
            return t.params();
        }
    }

    /**
     * A round's breakdown adds up: a task that spends 150 ms after its inner steps (in the delta interceptor) shows
     * as that task's extract time and inside the job; the driver's steps are disjoint parts of the round's wall time.
     */
    @Test
    void theRoundsBreakdownAddsUp() {
        ReplicaSetup setup = new ReplicaSetup(SPEC, OptimizerConfig.adam(), LrSchedule.constant(0.01),
                TbpttConfig.of(STEPS, 1.0, 3));
        JavaRDD<SequencePartition> rdd = StreamPartitions.of(sc, stream(2 * (LANES * STEPS * 4 + 1), 2), 2, LANES,
                STEPS);
        RoundConfig cfg = RoundConfig.defaults(2).withInnerState(InnerStatePolicy.AVERAGE);
        try (RoundTrainer t = new RoundTrainer(sc, setup, cfg, init())) {
            t.withDeltaInterceptor((round, partition, delta) -> {
                if (partition == 1) {
                    try {
                        Thread.sleep(150);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            for (RoundMetrics m : t.train(rdd, 2, x -> { })) {
                RoundMetrics.Phases p = m.phases();
                for (double v : new double[] {p.broadcast(), p.job(), p.taskLoad(), p.taskExtract(), p.sum(),
                        p.apply(), p.release()}) {
                    assertTrue(v >= 0 && v < m.secondsTotal(), p + " in a round of " + m.secondsTotal() + " s");
                }
                assertTrue(p.taskExtract() >= 0.15, "extract " + p.taskExtract());
                assertTrue(p.job() >= p.taskExtract() && p.job() >= m.secondsLocal(), p + ", local "
                        + m.secondsLocal());
                double driver = p.broadcast() + p.job() + p.sum() + p.apply() + p.release();
                assertTrue(driver <= m.secondsTotal(), p + " sums to " + driver + " > " + m.secondsTotal());
                assertTrue(m.secondsOutside() >= 0.15, "outside " + m.secondsOutside());
            }
        }
    }

    /**
     * Two runs with different slow partitions (so tasks finish in different orders) agree bit for bit, with the
     * tree of partial sums (fan-in 2 over 5 partitions) and with the driver's one-level sum (fan-in 16).
     */
    @Test
    void resultsDoNotDependOnTaskCompletionOrder() {
        for (int fanIn : new int[] {2, 16}) {
            for (InnerStatePolicy policy : new InnerStatePolicy[] {InnerStatePolicy.RESET, InnerStatePolicy.AVERAGE}) {
                float[] a = run(0, policy, fanIn);
                float[] b = run(4, policy, fanIn);
                assertArrayEquals(a, b, policy + ", fan-in " + fanIn + ": parameters differ between runs");
                assertFalse(java.util.Arrays.equals(a, init()), "training changed nothing");
            }
        }
    }

    @Test
    void nonFiniteAverageIsRejectedAndHugeAverageIsClippedToTheThreshold() {
        ReplicaSetup setup = new ReplicaSetup(SPEC, OptimizerConfig.sgd(), LrSchedule.constant(0.1),
                TbpttConfig.of(STEPS, 0, 1));
        JavaRDD<SequencePartition> rdd = StreamPartitions.of(sc, stream(2 * (LANES * STEPS * 4 + 1), 3), 2, LANES,
                STEPS);
        double clip = 0.25;
        try (RoundTrainer t = new RoundTrainer(sc, setup, RoundConfig.defaults(2).withClipNorm(clip), init())) {
            t.withDeltaInterceptor((round, partition, delta) -> {
                if (round == 1 && partition == 1) {
                    delta[3] = Float.NaN;
                }
                if (round == 2) {
                    for (int i = 0; i < delta.length; i++) {
                        delta[i] *= 1e4f;
                    }
                }
            });
            RoundMetrics r0 = t.round(rdd, 3);
            assertFalse(r0.rejected());
            float[] before = t.params();
            RoundMetrics r1 = t.round(rdd, 3);
            assertTrue(r1.rejected(), "a NaN in one partition's delta must reject the round");
            assertArrayEquals(before, t.params(), "a rejected round leaves the parameters unchanged");
            assertEquals(0.5, r1.lrScale(), "the inner learning rate is backed off");
            RoundMetrics r2 = t.round(rdd, 3);
            assertTrue(r2.clipped());
            assertTrue(r2.deltaNorm() > 100 * clip, "the injected delta is huge: " + r2.deltaNorm());
            assertEquals(clip, r2.deltaNormAfter(), 0.0);
            float[] after = t.params();
            double sq = 0;
            for (int i = 0; i < after.length; i++) {
                double d = (double) after[i] - before[i];
                sq += d * d;
            }
            // the applied step has the threshold's norm, up to float rounding of the parameters
            assertEquals(clip, Math.sqrt(sq), 1e-5);
        }
    }

    @Test
    void divergenceStopsTheJobAfterTheConfiguredRejections() {
        ReplicaSetup setup = new ReplicaSetup(SPEC, OptimizerConfig.sgd(), LrSchedule.constant(0.1),
                TbpttConfig.of(STEPS, 0, 1));
        JavaRDD<SequencePartition> rdd = StreamPartitions.of(sc, stream(2 * (LANES * STEPS * 4 + 1), 3), 2, LANES,
                STEPS);
        try (RoundTrainer t = new RoundTrainer(sc, setup, RoundConfig.defaults(1), init())) {
            t.withDeltaInterceptor((round, partition, delta) -> delta[0] = Float.POSITIVE_INFINITY);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.train(rdd, 5, m -> { }));
            assertTrue(e.getMessage().contains("3 rounds in a row"), e.getMessage());
            assertEquals(3, t.round());
        }
    }

    @Test
    void badConfigFailsBeforeAnySparkJob() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RoundConfig.defaults(0)).getMessage()
                .contains("found 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RoundConfig.defaults(5).withClipNorm(0))
                .getMessage().contains("clipNorm must be > 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RoundConfig.defaults(5).withClipNorm(-1))
                .getMessage().contains("found -1.0"));
        assertThrows(IllegalArgumentException.class, () -> OuterOptimizer.Config.nesterov(1.0, 0.0));
    }

}
