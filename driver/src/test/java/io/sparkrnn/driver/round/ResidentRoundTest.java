package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.lm.StreamPartitions;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.train.TbpttConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resident round tasks ({@link RoundTaskMode#RESIDENT}) against a job per round: the same parameters and driver
 * state bit for bit, one Spark job for many rounds, a job of the application between rounds served (the tasks make
 * way for it) and a task lost mid-round survived, its round run again as a job from the same snapshot.
 */
class ResidentRoundTest {
    static JavaSparkContext sc;
    static final ReplicaSetup SETUP = new ReplicaSetup(RoundTrainerTest.SPEC, OptimizerConfig.adam(),
            LrSchedule.constant(0.01), TbpttConfig.of(RoundTrainerTest.STEPS, 1.0, 3));
    static final int ROUNDS = 5;
    /** Jobs started on the context (all groups). */
    static final AtomicInteger JOBS = new AtomicInteger();
    /** Set by a test to make one task fail once (the interceptor runs in the task, in this JVM on local[2]). */
    static final AtomicBoolean FAIL_ONCE = new AtomicBoolean();

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("resident-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart e) {
                JOBS.incrementAndGet();
            }
        });
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    private static JavaRDD<SequencePartition> data(int partitions) {
        JavaRDD<SequencePartition> rdd = StreamPartitions.of(sc, RoundTrainerTest.stream(partitions
                * (RoundTrainerTest.LANES * RoundTrainerTest.STEPS * 4 + 1), 2), partitions, RoundTrainerTest.LANES,
                RoundTrainerTest.STEPS);
        rdd.count();
        return rdd;
    }

    private static RoundConfig config(InnerStatePolicy policy, RoundTaskMode tasks) {
        return RoundConfig.defaults(3).withInnerState(policy).withTasks(tasks)
                .withOuter(OuterOptimizer.Config.nesterov(0.7, 0.5));
    }

    /** What a run leaves: the driver's whole state, and the jobs and sessions it took. */
    private record Run(RoundTrainer.State state, int jobs, int sessions) {
    }

    /**
     * {@code ROUNDS} rounds; {@code between} runs after round 2 (on the driver, between rounds); {@code failAt}
     * (round, partition) makes that task throw once.
     */
    private static Run run(JavaRDD<SequencePartition> rdd, InnerStatePolicy policy, RoundTaskMode tasks,
            Runnable between, int failRound, int failPartition) {
        FAIL_ONCE.set(failRound >= 0);
        listenersDone();
        int jobs0 = JOBS.get();
        RoundTrainer.State state;
        int sessions;
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, config(policy, tasks), RoundTrainerTest.init())) {
            t.withDeltaInterceptor((round, partition, delta) -> {
                if (round == failRound && partition == failPartition && FAIL_ONCE.compareAndSet(true, false)) {
                    throw new IllegalStateException("injected failure of partition " + partition + " in round "
                            + (round + 1));
                }
            });
            t.train(rdd, 2, m -> { });
            between.run();
            t.train(rdd, ROUNDS - 2, m -> { });
            assertFalse(FAIL_ONCE.get(), "the injected failure did not happen");
            state = t.state();
            sessions = t.sessionsStarted();
        }
        listenersDone(); // the listener hears of jobs after they start
        return new Run(state, JOBS.get() - jobs0, sessions);
    }

    private static void listenersDone() {
        try {
            sc.sc().listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("Spark's listeners did not catch up", e);
        }
    }

    private static void assertSameState(RoundTrainer.State expected, RoundTrainer.State actual, String what) {
        assertEquals(expected.round(), actual.round(), what + ": rounds");
        assertArrayEquals(expected.params(), actual.params(), what + ": parameters");
        assertArrayEquals(expected.outerMomentum(), actual.outerMomentum(), what + ": outer momentum");
        assertEquals(expected.states().keySet(), actual.states().keySet(), what + ": carried states");
        for (Map.Entry<Integer, float[]> e : expected.states().entrySet()) {
            assertArrayEquals(e.getValue(), actual.states().get(e.getKey()), what + ": state of " + e.getKey());
        }
        if (expected.innerState() != null) {
            for (Map.Entry<String, float[]> e : expected.innerState().entrySet()) {
                assertArrayEquals(e.getValue(), actual.innerState().get(e.getKey()), what + ": inner " + e.getKey());
            }
        }
        if (expected.kept() != null) {
            assertEquals(expected.kept().keySet(), actual.kept().keySet(), what + ": kept partitions");
            for (Map.Entry<Integer, KeptState> e : expected.kept().entrySet()) {
                for (Map.Entry<String, float[]> v : e.getValue().vectors().entrySet()) {
                    assertArrayEquals(v.getValue(), actual.kept().get(e.getKey()).vectors().get(v.getKey()),
                            what + ": kept " + v.getKey() + " of partition " + e.getKey());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(InnerStatePolicy.class)
    void residentTasksTrainAsJobsPerRoundDoBitForBitInOneJob(InnerStatePolicy policy) {
        JavaRDD<SequencePartition> rdd = data(2);
        Run perRound = run(rdd, policy, RoundTaskMode.PER_ROUND, () -> { }, -1, -1);
        Run resident = run(rdd, policy, RoundTaskMode.RESIDENT, () -> { }, -1, -1);
        Run auto = run(rdd, policy, RoundTaskMode.AUTO, () -> { }, -1, -1);
        assertFalse(Arrays.equals(RoundTrainerTest.init(), resident.state().params()), "training changed nothing");
        assertSameState(perRound.state(), resident.state(), policy + ", resident");
        assertSameState(perRound.state(), auto.state(), policy + ", auto on 2 partitions");
        // per round: a job each round, one to count the batches of an epoch and one to free the replicas at the end
        assertEquals(ROUNDS + 2, perRound.jobs(), "jobs of the per-round run");
        assertEquals(0, perRound.sessions());
        // resident: the rounds' one job instead of one per round
        assertEquals(3, resident.jobs(), "jobs of the resident run");
        assertEquals(1, resident.sessions());
        assertEquals(1, auto.sessions());
    }

    /**
     * A job between rounds (a validation, say) needs the cores the resident tasks hold: they end, and it runs. The
     * caller's job group is kept on its thread, and the resident tasks' job runs in it.
     */
    @Test
    void anotherJobBetweenRoundsEndsTheTasksAndTrainingGoesOnTheSame() {
        JavaRDD<SequencePartition> rdd = data(2);
        List<String> groups = new java.util.concurrent.CopyOnWriteArrayList<>();
        SparkListener seen = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart e) {
                if (e.properties().getProperty(ResidentSession.SESSION_PROPERTY) != null) {
                    groups.add(String.valueOf(e.properties().getProperty("spark.jobGroup.id")));
                }
            }
        };
        sc.sc().addSparkListener(seen);
        sc.setJobGroup("the-callers-group", "the caller's", false);
        Run perRound = run(rdd, InnerStatePolicy.KEEP, RoundTaskMode.PER_ROUND, () -> { }, -1, -1);
        List<Long> counted = new ArrayList<>();
        Run resident = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> run(rdd, InnerStatePolicy.KEEP,
                RoundTaskMode.RESIDENT, () -> counted.add(sc.parallelize(List.of(1, 2, 3), 2).count()), -1, -1),
                "the job between rounds waited on the resident tasks");
        assertEquals(List.of(3L), counted);
        assertSameState(perRound.state(), resident.state(), "resident with a job between rounds");
        assertEquals(2, resident.sessions(), "a new session after the other job");
        listenersDone();
        sc.sc().removeSparkListener(seen);
        assertEquals("the-callers-group", sc.getLocalProperty("spark.jobGroup.id"), "the caller's job group");
        sc.clearJobGroup();
        assertEquals(List.of("the-callers-group", "the-callers-group"), groups, "the sessions' jobs' group");
    }

    /**
     * A task that fails mid-round (partition 1 in round 4, its session's fourth) breaks the session: the round runs
     * again as a job from the same snapshot (policy KEEP: the replica that stepped past its kept state is found stale
     * and sent it), and the next round starts new resident tasks.
     */
    @ParameterizedTest
    @EnumSource(InnerStatePolicy.class)
    void aTaskLostMidRoundCostsNothingButTime(InnerStatePolicy policy) {
        JavaRDD<SequencePartition> rdd = data(2);
        Run perRound = run(rdd, policy, RoundTaskMode.PER_ROUND, () -> { }, -1, -1);
        Run resident = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> run(rdd, policy,
                RoundTaskMode.RESIDENT, () -> { }, 3, 1));
        assertSameState(perRound.state(), resident.state(), policy + ", a task lost in round 4");
        assertEquals(2, resident.sessions(), "a new session after the lost one");
    }

    /** With fewer task slots (2 on local[2]) than partitions (3), resident tasks could not all run: jobs per round. */
    @Test
    void fewerSlotsThanPartitionsRunJobsPerRound() {
        JavaRDD<SequencePartition> rdd = data(3);
        Run perRound = run(rdd, InnerStatePolicy.AVERAGE, RoundTaskMode.PER_ROUND, () -> { }, -1, -1);
        Run resident = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> run(rdd, InnerStatePolicy.AVERAGE,
                RoundTaskMode.RESIDENT, () -> { }, -1, -1));
        assertSameState(perRound.state(), resident.state(), "resident asked, 3 partitions on 2 slots");
        assertEquals(0, resident.sessions());
        assertEquals(perRound.jobs(), resident.jobs());
    }

    /** A connection without the session's token is closed at once, and the session serves its tasks on. */
    @Test
    void aConnectionWithoutTheTokenIsRefused() throws Exception {
        JavaRDD<SequencePartition> rdd = data(2);
        Run perRound = run(rdd, InnerStatePolicy.RESET, RoundTaskMode.PER_ROUND, () -> { }, -1, -1);
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, config(InnerStatePolicy.RESET, RoundTaskMode.RESIDENT),
                RoundTrainerTest.init())) {
            t.train(rdd, 2, m -> { });
            int port = t.residentPort();
            assertTrue(port > 0, "a resident session listens");
            for (String token : new String[] {"not-the-token", ""}) {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                    s.setSoTimeout(20_000);
                    java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
                    out.writeUTF(token);
                    out.writeInt(0);
                    out.flush();
                    assertEquals(-1, s.getInputStream().read(), "the driver closes a connection without the token");
                }
            }
            t.train(rdd, ROUNDS - 2, m -> { });
            assertSameState(perRound.state(), t.state(), "resident after refused connections");
            assertEquals(1, t.sessionsStarted(), "the refused connections did not break the session");
        }
    }

    /**
     * Cancelling the resident tasks' job (the Spark UI's kill, {@code cancelAllJobs}) stops the training, as it stops
     * a job per round: the tasks, waiting between rounds, see that they were killed, and the next round throws.
     */
    @Test
    void cancellingTheResidentJobStopsTraining() {
        JavaRDD<SequencePartition> rdd = data(2);
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, config(InnerStatePolicy.RESET, RoundTaskMode.RESIDENT),
                RoundTrainerTest.init())) {
            t.train(rdd, 1, m -> { });
            assertTrue(t.residentPort() > 0, "a resident session runs");
            sc.cancelAllJobs();
            IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                            () -> t.train(rdd, 3, m -> { })));
            assertTrue(e.getMessage().contains("was cancelled") && e.getMessage().contains("training stops"),
                    e.getMessage());
            // the cancellation reaches the job asynchronously: the round already under way may still complete
            assertTrue(t.round() <= 2, "rounds after the cancellation: " + (t.round() - 1));
        }
    }

    @Test
    void theModeIsParsedFromItsConfigNames() {
        assertEquals(RoundTaskMode.AUTO, RoundTaskMode.parse("auto"));
        assertEquals(RoundTaskMode.PER_ROUND, RoundTaskMode.parse("per-round"));
        assertEquals(RoundTaskMode.RESIDENT, RoundTaskMode.parse("resident"));
        assertTrue(RoundTaskMode.AUTO.resident(2) && !RoundTaskMode.AUTO.resident(3));
        assertTrue(RoundTaskMode.RESIDENT.resident(64) && !RoundTaskMode.PER_ROUND.resident(1));
    }
}
