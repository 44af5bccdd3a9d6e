package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.lm.StreamPartitions;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.train.TbpttConfig;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code train.inner-state = keep}: the driver's copy of each partition's inner optimizer state is the authority,
 * so a rejected round, a replica holding another round's state, a lost replica cache or another run's replicas
 * never change the result; and a run's replicas and engine threads are freed when it ends.
 */
class KeptStateTest {
    static JavaSparkContext sc;
    static final int STEPS = RoundTrainerTest.STEPS;
    static final int LANES = RoundTrainerTest.LANES;
    static final ReplicaSetup SETUP = new ReplicaSetup(RoundTrainerTest.SPEC, OptimizerConfig.adam(),
            LrSchedule.constant(0.01), TbpttConfig.of(STEPS, 1.0, 3), 2);
    static final RoundConfig KEEP = RoundConfig.defaults(3).withInnerState(InnerStatePolicy.KEEP)
            .withOuter(OuterOptimizer.Config.nesterov(0.7, 0.5));
    static JavaRDD<SequencePartition> data;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("kept-state-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        data = StreamPartitions.of(sc, RoundTrainerTest.stream(2 * (LANES * STEPS * 12 + 1), 2), 2, LANES, STEPS);
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    /** 4 uninterrupted rounds. */
    static RoundTrainer.State straight() {
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, KEEP, RoundTrainerTest.init())) {
            t.train(data, 4, m -> { });
            return t.state();
        }
    }

    static void assertSameRun(RoundTrainer.State want, RoundTrainer.State got) {
        assertEquals(want.round(), got.round());
        assertTrue(Arrays.equals(want.params(), got.params()), "parameters differ");
        assertKeptEquals(want.kept(), got.kept());
    }

    static void assertKeptEquals(Map<Integer, KeptState> want, Map<Integer, KeptState> got) {
        assertEquals(want.keySet(), got.keySet());
        want.forEach((p, k) -> {
            KeptState g = got.get(p);
            assertEquals(k.steps(), g.steps(), "step count of partition " + p);
            assertEquals(k.vectors().keySet(), g.vectors().keySet());
            k.vectors().forEach((name, v) -> assertTrue(Arrays.equals(v, g.vectors().get(name)),
                    name + " of partition " + p + " differs"));
        });
    }

    @Test
    void driverHoldsEveryPartitionsKeptState() {
        RoundTrainer.State s = straight();
        assertEquals(Map.of(0, 12L, 1, 12L), Map.of(0, s.kept().get(0).steps(), 1, s.kept().get(1).steps()),
                "4 rounds of H = 3 Adam steps on each partition");
        assertEquals(java.util.List.of("exp_avg", "exp_avg_sq"), java.util.List.copyOf(s.kept().get(0).vectors()
                .keySet()));
        float[] m0 = s.kept().get(0).vectors().get("exp_avg");
        float[] m1 = s.kept().get(1).vectors().get("exp_avg");
        assertEquals(s.params().length, m0.length);
        assertFalse(Arrays.equals(m0, m1), "the partitions' moments are their own, not averaged");
        assertTrue(s.innerState() == null, "keep averages nothing");
    }

    /**
     * The cache of every replica is lost after round 2 (an executor killed): the next round runs again with the
     * driver's states and the run ends bit for bit where the uninterrupted one does.
     */
    @Test
    void lostReplicasContinueFromTheDriversState() {
        RoundTrainer.State want = straight();
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, KEEP, RoundTrainerTest.init())) {
            t.train(data, 2, m -> { });
            assertEquals(2, Replica.release(t.runId()));
            t.train(data, 2, m -> { });
            assertSameRun(want, t.state());
        }
    }

    /**
     * Partition 1's replica holds state that is not the last accepted round's (as when the partition moved to
     * another executor for a round and came back): it is labelled with round 1 and its moments are zeroed. The
     * task must not train on it; the round runs again with the driver's state and the result is exact.
     */
    @Test
    void aReplicaHoldingAnotherRoundsStateIsNotUsed() {
        RoundTrainer.State want = straight();
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, KEEP, RoundTrainerTest.init())) {
            t.train(data, 2, m -> { });
            Replica r = Replica.cached(t.runId(), 1);
            assertNotNull(r);
            assertEquals(2, r.keptRound);
            synchronized (r) {
                r.keptRound = 1;
                r.trainer.optimizer().reset();
            }
            t.train(data, 2, m -> { });
            assertSameRun(want, t.state());
        }
        // the same stale replica used as if it were current gives another run: the check above is not vacuous
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, KEEP, RoundTrainerTest.init())) {
            t.train(data, 2, m -> { });
            Replica r = Replica.cached(t.runId(), 1);
            synchronized (r) {
                r.trainer.optimizer().reset();
            }
            t.train(data, 2, m -> { });
            assertFalse(Arrays.equals(want.params(), t.params()), "a reset replica state should change the run");
        }
    }

    /** A second run in the same JVM, while the first one's replicas are alive and trained, is not touched by them. */
    @Test
    void anotherRunsReplicasAreNotUsed() {
        RoundTrainer.State want = straight();
        try (RoundTrainer other = new RoundTrainer(sc, SETUP, KEEP, RoundTrainerTest.init())) {
            other.train(data, 3, m -> { });
            assertEquals(2, other.liveReplicas());
            try (RoundTrainer t = new RoundTrainer(sc, SETUP, KEEP, RoundTrainerTest.init())) {
                t.train(data, 4, m -> { });
                assertSameRun(want, t.state());
            }
            assertEquals(2, other.liveReplicas(), "closing one run frees only its own replicas");
        }
    }

    /**
     * Round 2 is rejected (a NaN in partition 1's delta): the driver's kept state stays that of round 1, and the
     * run continues from it: round 3 equals a new trainer's round 3 restored from the state after the rejection,
     * although the replicas stepped past it in the rejected round.
     */
    @Test
    void aRejectedRoundRestoresTheKeptState() {
        DeltaInterceptor nanInRound2 = (round, partition, delta) -> {
            if (round == 1 && partition == 1) {
                delta[0] = Float.NaN;
            }
        };
        RoundTrainer.State afterRound1;
        RoundTrainer.State afterRejection;
        RoundTrainer.State afterRound3;
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, KEEP, RoundTrainerTest.init())) {
            t.withDeltaInterceptor(nanInRound2);
            t.round(data, 3);
            afterRound1 = t.state();
            assertTrue(t.round(data, 3).rejected());
            afterRejection = t.state();
            assertEquals(6, Replica.cached(t.runId(), 0).trainer.optimizer().stepCount(),
                    "the replicas stepped on in the rejected round (3 + 3 Adam steps)");
            t.round(data, 3);
            afterRound3 = t.state();
        }
        assertKeptEquals(afterRound1.kept(), afterRejection.kept());
        assertTrue(Arrays.equals(afterRound1.params(), afterRejection.params()));
        assertEquals(0.5, afterRejection.lrScale());
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, KEEP, RoundTrainerTest.init())) {
            t.restore(afterRejection);
            t.round(data, 3);
            assertSameRun(afterRound3, t.state());
        }
        assertEquals(6, afterRound3.kept().get(0).steps(),
                "rounds 1 and 3 count (3 Adam steps each), the rejected round 2 does not");
    }

    /** Closing a run frees its replicas and their engine threads (2 engine threads: one pool thread a replica). */
    @Test
    void closingARunFreesItsReplicasAndEngineThreads() throws InterruptedException {
        long before = engineThreads();
        RoundTrainer t = new RoundTrainer(sc, SETUP, KEEP, RoundTrainerTest.init());
        t.train(data, 1, m -> { });
        assertEquals(2, t.liveReplicas());
        assertEquals(before + 2, engineThreads(), "one pool thread per replica");
        t.close();
        assertEquals(0, t.liveReplicas());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (engineThreads() > before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before, engineThreads(), "the replicas' engine threads stop");
    }

    private static long engineThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(th -> th.isAlive() && th.getName().startsWith("spark-rnn-engine-")).count();
    }
}
