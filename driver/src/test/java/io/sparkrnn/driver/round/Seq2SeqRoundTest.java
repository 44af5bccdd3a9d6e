package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.corpus.lm.StreamPartitions;
import io.sparkrnn.driver.corpus.pairs.PairBatching;
import io.sparkrnn.driver.corpus.pairs.PairPartition;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.GradientClipping;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.seq2seq.Seq2SeqBatch;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import io.sparkrnn.engine.train.TbpttConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Encoder-decoder models through the same round loop as sequence models, on the CMUdict sample: the special
 * case H = 1 + SGD + plain averaging, determinism under any task completion order, and bad configuration.
 */
class Seq2SeqRoundTest {
    static JavaSparkContext sc;
    static Seq2SeqFixtures.Cmudict data;
    static Seq2SeqSpec spec;
    static final int B = 8;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("seq2seq-round-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        sc.setLogLevel("WARN");
        data = Seq2SeqFixtures.cmudict(sc);
        spec = Seq2SeqFixtures.spec(data, 8, 12, true);
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    static float[] init() {
        return new Seq2SeqModel(spec).initParams(7, DataType.FLOAT).flat().toFloatVector();
    }

    static JavaRDD<PairPartition> parts(int n) {
        return PairBatching.partitions(data.train(), new Batching.Options(B, 16, true, n, 11), 0);
    }

    /**
     * H = 1, inner SGD without local clipping, plain outer step with lr 1: each round equals one SGD step on the
     * two partitions' batches concatenated (the token-weighted average of the partitions' mean-loss gradients
     * is the concatenated batch's mean-loss gradient), with global clipping at clip / lr.
     */
    @Test
    void oneLocalStepWithSgdAndPlainAveragingIsSynchronousSgd() {
        double lr = 0.5;
        double gradClip = 0.24; // gradient norms here are 0.21 to 0.28: rounds 1 and 3 are clipped
        ReplicaSetup setup = new ReplicaSetup(spec, OptimizerConfig.sgd(), LrSchedule.constant(lr),
                new TbpttConfig(1, 1, ClipConfig.none(), 3));
        JavaRDD<PairPartition> rdd = parts(2);
        List<PairPartition> local = rdd.collect();
        int rounds = 4;
        float[] distributed;
        try (RoundTrainer t = new RoundTrainer(sc, setup, RoundConfig.defaults(1).withClipNorm(lr * gradClip),
                init())) {
            List<RoundMetrics> ms = t.train(rdd, rounds, m -> System.out.printf("seq2seq H=1 round %d: |delta| %.4f"
                    + "%s%n", m.round() + 1, m.deltaNorm(), m.clipped() ? " clipped" : ""));
            distributed = t.params();
            assertTrue(ms.stream().anyMatch(RoundMetrics::clipped), "the test should exercise the global clip");
            assertTrue(ms.stream().anyMatch(m -> !m.clipped()), "and rounds below the threshold");
        }
        Seq2SeqModel model = new Seq2SeqModel(spec);
        FlatParams p = model.initParams(7, DataType.FLOAT);
        FlatParams g = p.zerosLike();
        for (int r = 0; r < rounds; r++) {
            Seq2SeqBatch a = local.get(0).batch(r);
            Seq2SeqBatch b = local.get(1).batch(r);
            List<int[]> src = new ArrayList<>(a.sources());
            List<int[]> tgt = new ArrayList<>(a.targets());
            src.addAll(b.sources());
            tgt.addAll(b.targets());
            g.flat().assign(0);
            model.lossAndGradient(p, g, new Seq2SeqBatch(src, tgt), 0);
            GradientClipping.clipByGlobalNorm(g.flat(), gradClip);
            p.flat().subi(g.flat().mul(lr));
        }
        float[] single = p.flat().toFloatVector();
        double maxDiff = 0;
        for (int i = 0; i < single.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(single[i] - distributed[i]));
        }
        System.out.println("seq2seq: H=1 SGD vs single-process SGD on the concatenated batch: max |diff| = " + maxDiff
                + " over " + single.length + " parameters");
        assertTrue(maxDiff <= 1e-6, "max |diff| " + maxDiff);
        assertFalse(java.util.Arrays.equals(single, init()), "training changed nothing");
    }

    private static float[] run(JavaRDD<PairPartition> rdd, int slowPartition, InnerStatePolicy policy) {
        ReplicaSetup setup = new ReplicaSetup(spec, OptimizerConfig.adam(), LrSchedule.constant(0.01),
                new TbpttConfig(1, 1, ClipConfig.byNorm(1.0), 3));
        RoundConfig cfg = RoundConfig.defaults(2).withAggregationFanIn(2).withInnerState(policy)
                .withOuter(OuterOptimizer.Config.nesterov(0.7, 0.5)).withClipNorm(1.0);
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

    /** Two runs with different slow partitions (so tasks finish in different orders) agree bit for bit. */
    @Test
    void resultsDoNotDependOnTaskCompletionOrder() {
        JavaRDD<PairPartition> rdd = parts(3);
        for (InnerStatePolicy policy : new InnerStatePolicy[] {InnerStatePolicy.RESET, InnerStatePolicy.AVERAGE}) {
            float[] a = run(rdd, 0, policy);
            float[] b = run(rdd, 2, policy);
            assertArrayEquals(a, b, policy + ": parameters differ between runs");
            assertFalse(java.util.Arrays.equals(a, init()), "training changed nothing");
        }
        rdd.unpersist(false);
    }

    @Test
    void badConfigFailsBeforeAnySparkJob() {
        long training = data.train().count();
        int jobs = sc.statusTracker().getJobIdsForGroup(null).length;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RoundConfig.defaults(0)).getMessage()
                .contains("localSteps (H) must be >= 1, found 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RoundConfig.defaults(5).withClipNorm(0))
                .getMessage().contains("clipNorm must be > 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ReplicaSetup(spec, OptimizerConfig.sgd(),
                LrSchedule.constant(0.1), null)).getMessage().contains("ClipConfig.none()"));
        ReplicaSetup setup = new ReplicaSetup(spec, OptimizerConfig.sgd(), LrSchedule.constant(0.1),
                new TbpttConfig(1, 1, ClipConfig.none(), 1));
        IllegalArgumentException wrongSize = assertThrows(IllegalArgumentException.class,
                () -> new RoundTrainer(sc, setup, RoundConfig.defaults(1), new float[10]));
        assertTrue(wrongSize.getMessage().contains("initial parameters have 10 values"), wrongSize.getMessage());
        // 5,185 training pairs make 82 batches of 64: 100 partitions are too many
        Batching.Options tooMany = new Batching.Options(64, 16, true, 100, 1);
        CorpusException many = assertThrows(CorpusException.class, () -> PairBatching.checkBatches(training,
                tooMany, 0));
        assertEquals("5185 pairs make 82 batches of 64, too few for 100 partitions; use fewer partitions or a "
                + "smaller batch", many.getMessage());
        assertEquals(jobs, sc.statusTracker().getJobIdsForGroup(null).length, "no Spark job ran");
        // partitions() counts the pairs (one job) and refuses before shuffling them
        assertEquals(many.getMessage(), assertThrows(CorpusException.class,
                () -> PairBatching.partitions(data.train(), tooMany, 0)).getMessage());
        assertEquals(jobs + 1, sc.statusTracker().getJobIdsForGroup(null).length, "only the count ran");
        System.out.println("seq2seq bad config: " + many.getMessage());
    }

    /** Sequence data given to an encoder-decoder setup fails in the task with both types named. */
    @Test
    void dataOfAnotherModelKindIsRefusedByTheReplica() {
        ReplicaSetup setup = new ReplicaSetup(spec, OptimizerConfig.sgd(), LrSchedule.constant(0.1),
                new TbpttConfig(1, 1, ClipConfig.none(), 1));
        JavaRDD<SequencePartition> lm = StreamPartitions.of(sc, new int[200], 2, 2, 5);
        try (RoundTrainer t = new RoundTrainer(sc, setup, RoundConfig.defaults(1), init())) {
            SparkException e = assertThrows(SparkException.class, () -> t.round(lm, 1));
            assertTrue(e.getMessage().contains("an encoder-decoder model trains on Seq2SeqBatches, but partition data "
                    + "TokenStreamPartition gives SequenceBatch"), e.getMessage());
        }
    }
}
