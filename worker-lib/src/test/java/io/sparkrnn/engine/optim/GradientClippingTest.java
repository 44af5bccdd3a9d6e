package io.sparkrnn.engine.optim;

import static io.sparkrnn.engine.optim.Fixtures.assertClose;
import static io.sparkrnn.engine.optim.Fixtures.vec;
import static io.sparkrnn.engine.optim.OptimizerTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GradientClippingTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
    void normFiveClippedToOne(DataType dtype) {
        INDArray g = vec(dtype, 3, 4);
        assertEquals(5.0, GradientClipping.clipByGlobalNorm(g, 1.0), 1e-12);
        assertClose(new double[] {0.6, 0.8}, g, 1e-6);
        // PyTorch's scale is maxNorm / (norm + 1e-6), so the result sits just inside the ball.
        assertClose(new double[] {3 / 5.000001, 4 / 5.000001}, g, Fixtures.tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
    void underTheThresholdNothingChanges(DataType dtype) {
        INDArray g = vec(dtype, 3, -4);
        assertEquals(5.0, GradientClipping.clipByGlobalNorm(g, 10.0), 1e-12);
        assertArrayEquals(new double[] {3, -4}, g.toDoubleVector());
    }

    /** 10^6 copies of 0.1f: the norm is 1000 * 0.1f = 100.0000014901..., exact in double accumulation. */
    @Test
    void floatNormIsAccumulatedInDouble() {
        INDArray g = Nd4j.valueArrayOf(new long[] {1_000_000}, 0.1f);
        assertEquals(1000.0 * 0.1f, GradientClipping.globalNorm(g), 1e-9);
        // Squares of 1e30f overflow float but not double.
        assertEquals(Math.sqrt(2) * 1e30f, GradientClipping.globalNorm(vec(DataType.FLOAT, 1e30, 1e30)), 1e16);
    }

    @Test
    void nonFiniteGradientsAreReportedNotClipped() {
        INDArray nan = vec(DataType.FLOAT, 3, Double.NaN, 40);
        assertTrue(Double.isNaN(GradientClipping.clipByGlobalNorm(nan, 1.0)));
        assertEquals(3.0, nan.getDouble(0));
        assertEquals(40.0, nan.getDouble(2));
        INDArray inf = vec(DataType.DOUBLE, 3, Double.NEGATIVE_INFINITY);
        assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipByGlobalNorm(inf, 1.0));
        assertEquals(3.0, inf.getDouble(0));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
    void byValueClampsToTheLimit(DataType dtype) {
        INDArray g = vec(dtype, -3, 0.5, 2, -0.25, 1);
        GradientClipping.clipByValue(g, 1.0);
        assertArrayEquals(new double[] {-1, 0.5, 1, -0.25, 1}, g.toDoubleVector());
    }

    /** Like torch.clamp: infinities are clamped, NaN is kept so that it is not mistaken for a real gradient. */
    @Test
    void byValueKeepsNaNAndClampsInfinities() {
        INDArray g = vec(DataType.FLOAT, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.5);
        GradientClipping.clipByValue(g, 2.0);
        assertArrayEquals(new double[] {Double.NaN, 2, -2, 0.5}, g.toDoubleVector());
    }

    @Test
    void badLimitsAreRejected() {
        INDArray g = vec(DataType.DOUBLE, 1, 2);
        assertMessage("maxNorm must be positive and finite, found 0.0", () -> GradientClipping.clipByGlobalNorm(g, 0));
        assertMessage("maxNorm must be positive and finite, found NaN",
                () -> GradientClipping.clipByGlobalNorm(g, Double.NaN));
        assertMessage("limit must be positive and finite, found -1.0", () -> GradientClipping.clipByValue(g, -1));
    }

    @Test
    void configClipsByNorm() {
        INDArray g = vec(DataType.DOUBLE, 3, 4);
        ClipResult r = ClipConfig.byNorm(1.0).apply(g);
        assertEquals(5.0, r.normBefore(), 1e-12);
        assertEquals(5 / 5.000001, r.normAfter(), 1e-12);
        assertTrue(r.normClipped());
        assertFalse(r.valueClipped());
        assertTrue(r.finite());
    }

    @Test
    void configClipsByValue() {
        INDArray g = vec(DataType.FLOAT, 3, 4);
        ClipResult r = ClipConfig.byValue(3.5).apply(g);
        assertArrayEquals(new double[] {3, 3.5}, g.toDoubleVector());
        assertEquals(5.0, r.normBefore(), 1e-12);
        assertEquals(Math.sqrt(9 + 12.25), r.normAfter(), 1e-6);
        assertFalse(r.normClipped());
        assertTrue(r.valueClipped());
    }

    /** Norm first ([3, 4] -> [0.6, 0.8]) then value (0.8 -> 0.7): the norm after is sqrt(0.36 + 0.49). */
    @Test
    void configClipsByNormThenValue() {
        INDArray g = vec(DataType.DOUBLE, 3, 4);
        ClipResult r = new ClipConfig(1.0, 0.7).apply(g);
        assertClose(new double[] {0.6, 0.7}, g, 1e-6);
        assertEquals(Math.sqrt(0.85), r.normAfter(), 1e-6);
        assertTrue(r.normClipped());
        assertTrue(r.valueClipped());
    }

    @Test
    void configUnderBothLimitsOrDisabledReportsTheNorm() {
        for (ClipConfig c : new ClipConfig[] {ClipConfig.none(), new ClipConfig(10, 10)}) {
            INDArray g = vec(DataType.DOUBLE, 3, 4);
            assertEquals(new ClipResult(5.0, 5.0, false, false), c.apply(g));
            assertArrayEquals(new double[] {3, 4}, g.toDoubleVector());
        }
    }

    @Test
    void configLeavesNonFiniteGradientsAlone() {
        INDArray g = vec(DataType.FLOAT, 30, Double.POSITIVE_INFINITY);
        ClipResult r = new ClipConfig(1.0, 1.0).apply(g);
        assertFalse(r.finite());
        assertFalse(r.normClipped());
        assertFalse(r.valueClipped());
        assertArrayEquals(new double[] {30, Double.POSITIVE_INFINITY}, g.toDoubleVector());
    }

    @Test
    void badConfigsAreRejectedWithTheValue() {
        assertMessage("maxNorm must be finite and >= 0 (0 disables), found -1.0", () -> new ClipConfig(-1, 0));
        assertMessage("maxValue must be finite and >= 0 (0 disables), found NaN", () -> new ClipConfig(0, Double.NaN));
        assertMessage("maxNorm must be finite and >= 0 (0 disables), found Infinity",
                () -> ClipConfig.byNorm(Double.POSITIVE_INFINITY));
    }

    /** The float32 norm is read in chunks of 16,384 floats: several chunks and a tail give the double norm. */
    @Test
    void floatNormOverSeveralChunksEqualsTheDoubleNorm() {
        double[] v = new double[40_000];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        double expected = vec(DataType.DOUBLE, v).norm2Number().doubleValue();
        assertEquals(expected, GradientClipping.globalNorm(vec(DataType.FLOAT, v)), 1e-12 * expected);
        v[39_999] = Double.NaN;
        assertTrue(Double.isNaN(GradientClipping.globalNorm(vec(DataType.FLOAT, v))));
        v[39_999] = Double.POSITIVE_INFINITY;
        assertEquals(Double.POSITIVE_INFINITY, GradientClipping.globalNorm(vec(DataType.FLOAT, v)));
    }
}
