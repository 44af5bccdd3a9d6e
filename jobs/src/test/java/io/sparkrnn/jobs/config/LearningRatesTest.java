package io.sparkrnn.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.optim.LrSchedule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The inner learning-rate schedule a train config builds, by global inner step r * H + j. */
class LearningRatesTest {
    private static LrSchedule schedule(String... sets) {
        List<String> all = new ArrayList<>(List.of("train.rounds=10", "train.local-steps=20"));
        all.addAll(Arrays.asList(sets));
        JobConfig c = JobConfig.load(JobSettingsTest.conf("conf/cmudict-g2p.conf"), all);
        return JobSettings.of(c).train().schedule();
    }

    @Test
    void constantByDefault() {
        LrSchedule s = schedule("train.lr=0.005");
        assertInstanceOf(LrSchedule.Constant.class, s);
        assertEquals(0.005, s.lr(0), 0);
        assertEquals(0.005, s.lr(199), 0);
    }

    @Test
    void cosineDecaysFromTheLrToTheFloorAtTheLastRound() {
        // 10 rounds of 20 inner steps: T = 200, warm-up W = 20; lr(s) = M + (P - M) (1 + cos(pi (s - W) / (T - W))) / 2
        LrSchedule s = schedule("train.lr=0.004", "train.lr-schedule=cosine", "train.warmup-steps=20",
                "train.min-lr=0.0004");
        assertEquals(0.004 / 20, s.lr(0), 1e-15);
        assertEquals(0.004, s.lr(19), 1e-15);
        assertEquals(0.004, s.lr(20), 1e-15);
        assertEquals(0.0022, s.lr(110), 1e-12, "half way: (P + M) / 2");
        assertEquals(0.0004 + 0.0036 * (1 + Math.cos(Math.PI * 150 / 180)) / 2, s.lr(170), 1e-15);
        assertEquals(0.0004, s.lr(200), 0);
        assertTrue(s.lr(199) > 0.0004 && s.lr(199) < 0.00041, "the last step is just above the floor");
    }

    @Test
    void linearAndConstantWithWarmup() {
        LrSchedule lin = schedule("train.lr=0.002", "train.lr-schedule=linear", "train.min-lr=0");
        assertEquals(0.002, lin.lr(0), 0);
        assertEquals(0.001, lin.lr(100), 1e-15);
        assertEquals(0.0, lin.lr(200), 0);
        LrSchedule warm = schedule("train.lr=0.002", "train.warmup-steps=4");
        assertEquals(0.0005, warm.lr(0), 1e-15);
        assertEquals(0.002, warm.lr(3), 1e-15);
        assertEquals(0.002, warm.lr(150), 1e-15);
        assertEquals(0.002, warm.lr(500), 1e-15);
    }

    @Test
    void impossibleSchedulesAreConfigErrors() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> schedule("train.lr-schedule=cosine", "train.lr=0.001", "train.min-lr=0.01"));
        assertTrue(e.getMessage().contains("train.min-lr must be <= train.lr = 0.001, found 0.01"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> schedule("train.warmup-steps=201"));
        assertTrue(e.getMessage().contains("train.warmup-steps must be <= train.rounds * train.local-steps = 200, "
                + "found 201"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> schedule("train.lr-schedule=step"));
        assertTrue(e.getMessage().contains("train.lr-schedule must be one of constant | cosine | linear"),
                e.getMessage());
    }

    @Test
    void theReportReadsTheSameScheduleFromTheResolvedConfig() {
        LrSchedule fromMap = LearningRates.of(Map.of("train.lr", "0.004", "train.lr-schedule", "cosine",
                "train.warmup-steps", "20", "train.min-lr", "0.0004", "train.rounds", "10", "train.local-steps", "20"));
        LrSchedule fromConfig = schedule("train.lr=0.004", "train.lr-schedule=cosine", "train.warmup-steps=20",
                "train.min-lr=0.0004");
        for (long step = 0; step <= 220; step += 7) {
            assertEquals(fromConfig.lr(step), fromMap.lr(step), 0, "step " + step);
        }
        LrSchedule older = LearningRates.of(Map.of("train.lr", "0.003", "train.rounds", "5", "train.local-steps", "2"));
        assertEquals(LrSchedule.constant(0.003), older, "a config from before the schedule keys is constant");
    }
}
