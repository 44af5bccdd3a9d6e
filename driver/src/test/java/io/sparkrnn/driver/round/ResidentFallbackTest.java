package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.lm.StreamPartitions;
import java.time.Duration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Executors that cannot reach the driver's round channel (here the driver listens on 127.0.0.1 and advertises
 * 127.0.0.2, where nothing listens, as a firewall would refuse them): the resident tasks fail to connect, the driver
 * turns resident tasks off for the run, and every round runs as its own job, with the same result.
 */
class ResidentFallbackTest {
    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("resident-fallback-test")
                .set("spark.ui.enabled", "false").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.driver.host", "127.0.0.2"));
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    private static float[] train(JavaRDD<SequencePartition> rdd, RoundTaskMode mode, String[] off) {
        RoundConfig cfg = RoundConfig.defaults(3).withInnerState(InnerStatePolicy.KEEP).withTasks(mode);
        try (RoundTrainer t = new RoundTrainer(sc, ResidentRoundTest.SETUP, cfg, RoundTrainerTest.init())) {
            t.train(rdd, 4, m -> { });
            off[0] = t.residentOff();
            if (mode == RoundTaskMode.RESIDENT) {
                assertEquals(1, t.sessionsStarted(), "one session tried, then no more");
            }
            return t.params();
        }
    }

    @Test
    void unreachableDriverFallsBackToAJobPerRound() {
        JavaRDD<SequencePartition> rdd = StreamPartitions.of(sc, RoundTrainerTest.stream(2
                * (RoundTrainerTest.LANES * RoundTrainerTest.STEPS * 4 + 1), 2), 2, RoundTrainerTest.LANES,
                RoundTrainerTest.STEPS);
        rdd.count();
        String[] off = new String[1];
        float[] perRound = train(rdd, RoundTaskMode.PER_ROUND, off);
        float[] resident = assertTimeoutPreemptively(Duration.ofSeconds(120),
                () -> train(rdd, RoundTaskMode.RESIDENT, off));
        assertNotNull(off[0], "resident tasks are off");
        assertTrue(off[0].contains("ended before every task connected"), off[0]);
        assertArrayEquals(perRound, resident, "the rounds run as jobs give the same parameters");
    }
}
