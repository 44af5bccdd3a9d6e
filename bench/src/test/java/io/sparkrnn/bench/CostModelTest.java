package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CostModelTest {
    private static final CostModel TRUE = new CostModel(0.05, 0.002, 1e-8, 3e-9, 0);

    private static List<CostModel.Point> points(CostModel m, double noise) {
        List<CostModel.Point> out = new ArrayList<>();
        int i = 0;
        for (long n : new long[] {1_000_000, 10_000_000}) {
            for (int p : new int[] {2, 8, 32, 64}) {
                // Alternating +noise / -noise: a known residual pattern.
                double s = m.seconds(p, n) + (i++ % 2 == 0 ? noise : -noise);
                out.add(new CostModel.Point(p, n, s));
            }
        }
        return out;
    }

    /** Exact points of a known model give back its coefficients and no residual. */
    @Test
    void fitRecoversTheCoefficientsOfExactPoints() {
        CostModel m = CostModel.fit(points(TRUE, 0));
        assertEquals(0.05, m.a(), 1e-9);
        assertEquals(0.002, m.b(), 1e-11);
        assertEquals(1e-8, m.c(), 1e-16);
        assertEquals(3e-9, m.d(), 1e-18);
        assertEquals(0, m.rmsResidual(), 1e-9);
        assertEquals(0.05 + 0.002 * 64 + 0.1 + 3e-9 * 64 * 1e7, m.seconds(64, 10_000_000), 1e-9);
    }

    /**
     * Noise of +-10 ms alternating over the 8 points: the fit moves by less than the noise and reports an RMS
     * residual no larger than it (least squares never does worse than the true model).
     */
    @Test
    void fitOfNoisyPointsStaysWithinTheNoise() {
        List<CostModel.Point> pts = points(TRUE, 0.01);
        CostModel m = CostModel.fit(pts);
        assertTrue(m.rmsResidual() <= 0.01 + 1e-12 && m.rmsResidual() > 0.005, "rms " + m.rmsResidual());
        for (CostModel.Point p : pts) {
            assertEquals(TRUE.seconds(p.partitions(), p.parameters()), m.seconds(p.partitions(), p.parameters()),
                    0.01, p.toString());
        }
    }

    /**
     * The eight medians bench rounds measured on an idle 2-core AMD EPYC: their unconstrained least-squares fit has a
     * negative cost per parameter (-6.2e-8 s), which made the driver's share of a 10 M model negative; the fit keeps
     * every coefficient at or above zero and stays within the points' noise.
     */
    @Test
    void noCoefficientOfTheFitIsNegative() {
        long m1 = 988_766;
        long m10 = 10_077_186;
        List<CostModel.Point> pts = List.of(new CostModel.Point(2, m1, 0.151), new CostModel.Point(8, m1, 0.590),
                new CostModel.Point(32, m1, 1.457), new CostModel.Point(64, m1, 2.197),
                new CostModel.Point(2, m10, 0.300), new CostModel.Point(8, m10, 2.197),
                new CostModel.Point(32, m10, 8.009), new CostModel.Point(64, m10, 17.783));
        CostModel m = CostModel.fit(pts);
        assertTrue(m.a() >= 0 && m.b() >= 0 && m.c() >= 0 && m.d() >= 0, m.describe());
        assertTrue(m.rmsResidual() < 0.5, m.describe());
        assertTrue(m.a() + m.c() * m10 >= 0, "driver share at 10 M: " + m.describe());
        for (CostModel.Point p : pts) {
            assertEquals(p.seconds(), m.seconds(p.partitions(), p.parameters()), 1.0, p.toString());
        }
    }

    @Test
    void tooFewOrDegeneratePointsAreRefused() {
        List<CostModel.Point> three = points(TRUE, 0).subList(0, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CostModel.fit(three));
        assertEquals("the cost model has 4 terms and needs at least 4 points, found 3", e.getMessage());
        List<CostModel.Point> oneSize = points(TRUE, 0).subList(0, 4);
        e = assertThrows(IllegalArgumentException.class, () -> CostModel.fit(oneSize));
        assertTrue(e.getMessage().contains("two model sizes"), e.getMessage());
    }

    /** Lines through the tasks' CPU seconds: exact points give back intercept and slope. */
    @Test
    void executorCostLinesFitTheTasksCpu() {
        CostModel.ExecutorCost e = CostModel.ExecutorCost.fit(new long[] {1_000_000, 1_000_000, 10_000_000},
                new double[] {0.012, 0.012, 0.03}, new long[] {1_000_000, 10_000_000}, new double[] {0.003, 0.021});
        assertEquals(0.01, e.taskFixed(), 1e-12);
        assertEquals(2e-9, e.taskPerParameter(), 1e-18);
        assertEquals(0.001, e.inputFixed(), 1e-12);
        assertEquals(2e-9, e.inputPerParameter(), 1e-18);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> CostModel.ExecutorCost.fit(
                new long[] {5, 5}, new double[] {1, 2}, new long[] {1, 2}, new double[] {1, 2}));
        assertTrue(x.getMessage().contains("two model sizes"), x.getMessage());
    }

    /**
     * 256 executors, fan-in 16, 10 M parameters, 1.25 GB/s: two tree levels; bytes 4 N x 8 broadcast hops, 16 x 4 N
     * into the first level's reducer, 16 x 8 N into the second's, 8 N into the driver = 232 N = 2.32 GB, 1.856 s;
     * on the executors one training task, then 16 inputs at each level; on the driver a + c N.
     */
    @Test
    void clusterEstimateFollowsTheTree() {
        CostModel.ExecutorCost tasks = new CostModel.ExecutorCost(0.01, 2e-9, 0.001, 1e-9);
        CostModel.ClusterEstimate e = TRUE.cluster(tasks, 256, 10_000_000, 16, 1.25e9);
        assertEquals(2, e.levels());
        assertEquals(232e7 / 1.25e9, e.network(), 1e-12);
        assertEquals(0.05 + 0.1, e.driver(), 1e-12);
        assertEquals(0.03 + 32 * 0.011, e.compute(), 1e-12);
        assertEquals(e.driver() + e.compute() + e.network(), e.total(), 1e-12);

        // 2 executors send their float deltas straight to the driver: 4 N broadcast (1 hop) + 2 x 4 N, no tree.
        CostModel.ClusterEstimate two = TRUE.cluster(tasks, 2, 1_000_000, 16, 1.25e9);
        assertEquals(0, two.levels());
        assertEquals(12e6 / 1.25e9, two.network(), 1e-15);
        assertEquals(0.012, two.compute(), 1e-15);

        // 20 executors: a first level of 16 and 4 float deltas, then 2 partials into one task, then the driver.
        CostModel.ClusterEstimate twenty = TRUE.cluster(tasks, 20, 1_000_000, 16, 1.25e9);
        assertEquals(2, twenty.levels());
        assertEquals((4e6 * 5 + 16 * 4e6 + 2 * 8e6 + 8e6) / 1.25e9, twenty.network(), 1e-15);
        assertEquals(0.012 + 18 * 0.002, twenty.compute(), 1e-15);
    }
}
