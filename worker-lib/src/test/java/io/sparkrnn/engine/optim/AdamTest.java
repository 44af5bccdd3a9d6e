package io.sparkrnn.engine.optim;

import static io.sparkrnn.engine.optim.Fixtures.N;
import static io.sparkrnn.engine.optim.Fixtures.assertClose;
import static io.sparkrnn.engine.optim.Fixtures.grad;
import static io.sparkrnn.engine.optim.Fixtures.lr;
import static io.sparkrnn.engine.optim.Fixtures.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class AdamTest {
    private static final int STEPS = 6;

    /**
     * torch.optim.Adam / AdamW (amsgrad off) one scalar at a time, in double: AdamW first does p *= 1 - lr * wd,
     * Adam adds wd * p to g; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
     * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
     */
    private static double[] reference(OptimizerConfig c, DataType dtype) {
        boolean decoupled = c.type() == OptimizerType.ADAMW;
        double b1 = c.beta1();
        double b2 = c.beta2();
        double[] p = Fixtures.round(Fixtures.P0, dtype);
        double[] m = new double[N];
        double[] v = new double[N];
        for (int t = 1; t <= STEPS; t++) {
            double lr = lr(t - 1);
            double[] grad = grad(t - 1, dtype);
            for (int i = 0; i < N; i++) {
                double g = grad[i];
                if (decoupled) {
                    p[i] *= 1 - lr * c.weightDecay();
                } else {
                    g += c.weightDecay() * p[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + c.eps();
                p[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
            }
        }
        return p;
    }

    private static void assertMatchesReference(OptimizerConfig c, DataType dtype) {
        INDArray p = Fixtures.run(c.create(N, dtype), STEPS);
        assertClose(reference(c, dtype), p, Fixtures.tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
    void adamMatchesReference(DataType dtype) {
        assertMatchesReference(OptimizerConfig.adam(), dtype);
        assertMatchesReference(OptimizerConfig.adam().withBeta1(0.8).withBeta2(0.99).withEps(1e-3), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
    void adamWithL2MatchesReference(DataType dtype) {
        assertMatchesReference(OptimizerConfig.adam().withWeightDecay(0.1), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
    void adamWMatchesReference(DataType dtype) {
        assertMatchesReference(OptimizerConfig.adamW(0.01), dtype);
        assertMatchesReference(OptimizerConfig.adamW(0.3), dtype);
    }

    /** After bias correction the first step is lr * g / (|g| + eps) whatever the betas. */
    @Test
    void firstStepIsLrTimesSignOfGradient() {
        Optimizer opt = OptimizerConfig.adam().withBeta1(0.7).withBeta2(0.95).create(3, DataType.DOUBLE);
        INDArray p = vec(DataType.DOUBLE, 1.0, 1.0, 1.0);
        opt.step(p, vec(DataType.DOUBLE, 4.0, -0.5, 1e-3), 0.01);
        double eps = 1e-8;
        double[] expected = {
            1 - 0.01 * 4.0 / (4.0 + eps), 1 + 0.01 * 0.5 / (0.5 + eps), 1 - 0.01 * 1e-3 / (1e-3 + eps)};
        assertClose(expected, p, 1e-15);
    }

    /** With g = 1 every step both corrected moments are 1, so each step moves p by lr / (1 + eps). */
    @Test
    void constantGradientMovesByLrEachStep() {
        Optimizer opt = OptimizerConfig.adam().create(1, DataType.DOUBLE);
        INDArray p = vec(DataType.DOUBLE, 1.0);
        for (int t = 0; t < 3; t++) {
            opt.step(p, vec(DataType.DOUBLE, 1.0), 0.1);
        }
        assertEquals(1 - 0.3 / (1 + 1e-8), p.getDouble(0), 1e-14);
        assertEquals(1 - Math.pow(0.9, 3), opt.state().get(Adam.EXP_AVG).getDouble(0), 1e-15);
        assertEquals(1 - Math.pow(0.999, 3), opt.state().get(Adam.EXP_AVG_SQ).getDouble(0), 1e-15);
    }

    /** AdamW with g = 0 only decays: p = 2 * (1 - 0.1 * 0.01)^3; Adam's L2 would also move the moments. */
    @Test
    void adamWDecayIsDecoupled() {
        Optimizer opt = OptimizerConfig.adamW(0.01).create(1, DataType.DOUBLE);
        INDArray p = vec(DataType.DOUBLE, 2.0);
        for (int t = 0; t < 3; t++) {
            opt.step(p, vec(DataType.DOUBLE, 0.0), 0.1);
        }
        assertEquals(2 * Math.pow(0.999, 3), p.getDouble(0), 1e-15);
        assertEquals(0.0, opt.state().get(Adam.EXP_AVG).getDouble(0));
    }

    @ParameterizedTest
    @EnumSource(value = OptimizerType.class, names = {"ADAM", "ADAMW"})
    void gradsAreNotModified(OptimizerType type) {
        Optimizer opt = OptimizerConfig.defaults(type).withWeightDecay(0.1).create(N, DataType.FLOAT);
        INDArray p = vec(DataType.FLOAT, Fixtures.P0);
        INDArray g = vec(DataType.FLOAT, grad(0, DataType.FLOAT));
        for (int t = 0; t < 3; t++) {
            opt.step(p, g, 0.1);
        }
        assertArrayEquals(grad(0, DataType.FLOAT), g.toDoubleVector());
    }

    /**
     * The fused float32 pass works in chunks of 16,384: a vector of several chunks and a tail follows the double path.
     * Gradients stay at least 0.01 - 0.005 away from 0 (where m / (sqrt(v) + eps) flips with the float rounding).
     */
    @ParameterizedTest
    @EnumSource(value = OptimizerType.class, names = {"ADAM", "ADAMW"})
    void floatPathOverSeveralChunksFollowsTheDoublePath(OptimizerType type) {
        int n = 40_000;
        java.util.Random r = new java.util.Random(7);
        double[] p0 = new double[n];
        double[][] gs = new double[3][n];
        for (int i = 0; i < n; i++) {
            p0[i] = Math.max(-4, Math.min(4, r.nextGaussian()));
            for (double[] g : gs) {
                double x = r.nextGaussian();
                g[i] = Math.signum(x) * (0.01 + 0.1 * Math.abs(x));
            }
        }
        INDArray pf = vec(DataType.FLOAT, p0);
        INDArray pd = vec(DataType.DOUBLE, p0);
        Optimizer of = OptimizerConfig.defaults(type).withWeightDecay(1e-3).create(n, DataType.FLOAT);
        Optimizer od = OptimizerConfig.defaults(type).withWeightDecay(1e-3).create(n, DataType.DOUBLE);
        for (double[] g : gs) {
            of.step(pf, vec(DataType.FLOAT, g), 0.01);
            od.step(pd, vec(DataType.DOUBLE, g), 0.01);
        }
        double[] f = pf.toDoubleVector();
        double[] d = pd.toDoubleVector();
        double[] mf = of.state().get(Adam.EXP_AVG_SQ).toDoubleVector();
        double[] md = od.state().get(Adam.EXP_AVG_SQ).toDoubleVector();
        for (int i = 0; i < n; i++) {
            assertEquals(d[i], f[i], 2e-6 * Math.max(1, Math.abs(d[i])), "parameter " + i);
            assertEquals(md[i], mf[i], 1e-6 * Math.max(1e-3, md[i]), "exp_avg_sq " + i);
            assertTrue(d[i] != p0[i], "parameter " + i + " moved");
        }
    }
}
