package io.sparkrnn.engine.optim;

import static io.sparkrnn.engine.optim.OptimizerTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
    private static final double TOL = 1e-15;

    @Test
    void constantIsConstant() {
        LrSchedule s = LrSchedule.constant(3e-4);
        assertEquals(3e-4, s.lr(0));
        assertEquals(3e-4, s.lr(1_000_000_000L));
    }

    /** peak 1e-3, floor 1e-4, 10 warm-up steps, 110 in total: the cosine runs over steps 10..110. */
    @Test
    void warmupCosineAtItsLandmarks() {
        LrSchedule s = LrSchedule.warmupCosine(1e-3, 10, 110, 1e-4);
        assertEquals(1e-4, s.lr(0), TOL);
        assertEquals(5e-4, s.lr(4), TOL);
        assertEquals(1e-3, s.lr(9), TOL);
        assertEquals(1e-3, s.lr(10), TOL);
        assertEquals(1e-4 + 9e-4 * (2 + Math.sqrt(2)) / 4, s.lr(35), TOL);
        assertEquals(5.5e-4, s.lr(60), TOL);
        assertEquals(1e-4 + 9e-4 * (2 - Math.sqrt(2)) / 4, s.lr(85), TOL);
        assertEquals(1e-4, s.lr(110), TOL);
        assertEquals(1e-4, s.lr(5000), TOL);
    }

    /** peak 1, floor 0, 4 warm-up steps, 14 in total: 0.25, 0.5, 0.75, 1, then down by 0.1 a step. */
    @Test
    void warmupLinearAtItsLandmarks() {
        LrSchedule s = LrSchedule.warmupLinear(1.0, 4, 14, 0.0);
        double[] expected = {0.25, 0.5, 0.75, 1.0, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.0};
        for (int step = 0; step < expected.length; step++) {
            assertEquals(expected[step], s.lr(step), 1e-15, "step " + step);
        }
    }

    @Test
    void noWarmupStartsAtThePeakAndFullWarmupEndsAtTheFloor() {
        assertEquals(2.0, LrSchedule.warmupCosine(2.0, 0, 10, 0.5).lr(0), TOL);
        assertEquals(1.25, LrSchedule.warmupCosine(2.0, 0, 10, 0.5).lr(5), TOL);
        LrSchedule allWarmup = LrSchedule.warmupLinear(2.0, 10, 10, 0.5);
        assertEquals(2.0, allWarmup.lr(9), TOL);
        assertEquals(0.5, allWarmup.lr(10), TOL);
    }

    @Test
    void badSchedulesAreRejectedWithTheValue() {
        assertMessage("lr must be positive and finite, found 0.0", () -> LrSchedule.constant(0));
        assertMessage("peak must be positive and finite, found -1.0", () -> LrSchedule.warmupCosine(-1, 1, 10, 0));
        assertMessage("peak must be positive and finite, found NaN",
                () -> LrSchedule.warmupCosine(Double.NaN, 1, 10, 0));
        assertMessage("minLr must be in [0, peak=0.001], found 0.01", () -> LrSchedule.warmupCosine(1e-3, 1, 10, 1e-2));
        assertMessage("minLr must be in [0, peak=0.001], found -1.0E-4",
                () -> LrSchedule.warmupLinear(1e-3, 1, 10, -1e-4));
        assertMessage("warmupSteps must be in [0, totalSteps=10], found 11",
                () -> LrSchedule.warmupLinear(1e-3, 11, 10, 0));
        assertMessage("totalSteps must be positive, found 0", () -> LrSchedule.warmupLinear(1e-3, 0, 0, 0));
        assertMessage("step must be >= 0, found -1", () -> LrSchedule.constant(1).lr(-1));
    }
}
