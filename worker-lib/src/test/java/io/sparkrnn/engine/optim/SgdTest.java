package io.sparkrnn.engine.optim;

import static io.sparkrnn.engine.optim.Fixtures.N;
import static io.sparkrnn.engine.optim.Fixtures.assertClose;
import static io.sparkrnn.engine.optim.Fixtures.grad;
import static io.sparkrnn.engine.optim.Fixtures.lr;
import static io.sparkrnn.engine.optim.Fixtures.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class SgdTest {
    private static final int STEPS = 6;

    /**
     * torch.optim.SGD (dampening 0) one scalar at a time, in double: g += wd * p; buf = g on the first step,
     * else mu * buf + g; d = g + mu * buf (nesterov) or buf (momentum) or g; p -= lr * d.
     */
    private static double[] reference(OptimizerConfig c, DataType dtype) {
        boolean useMomentum = c.type() != OptimizerType.SGD;
        boolean nesterov = c.type() == OptimizerType.NESTEROV;
        double mu = c.momentum();
        double[] p = Fixtures.round(Fixtures.P0, dtype);
        double[] buf = new double[N];
        for (int t = 0; t < STEPS; t++) {
            double[] grad = grad(t, dtype);
            for (int i = 0; i < N; i++) {
                double g = grad[i] + c.weightDecay() * p[i];
                double d = g;
                if (useMomentum) {
                    buf[i] = t == 0 ? g : mu * buf[i] + g;
                    d = nesterov ? g + mu * buf[i] : buf[i];
                }
                p[i] -= lr(t) * d;
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
    void plainSgdMatchesReference(DataType dtype) {
        assertMatchesReference(OptimizerConfig.sgd(), dtype);
        assertMatchesReference(OptimizerConfig.sgd().withWeightDecay(0.1), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
    void momentumMatchesReference(DataType dtype) {
        assertMatchesReference(OptimizerConfig.momentum(0.9), dtype);
        assertMatchesReference(OptimizerConfig.momentum(0.5).withWeightDecay(0.05), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
    void nesterovMatchesReference(DataType dtype) {
        assertMatchesReference(OptimizerConfig.nesterov(0.9), dtype);
        assertMatchesReference(OptimizerConfig.nesterov(0.8).withWeightDecay(0.05), dtype);
    }

    /** p = 1, g = 1 every step, lr = 0.1, mu = 0.9: buf = 1, 1.9, 2.71 so p = 0.9, 0.71, 0.439. */
    @Test
    void momentumByHand() {
        Optimizer opt = OptimizerConfig.momentum(0.9).create(1, DataType.DOUBLE);
        INDArray p = vec(DataType.DOUBLE, 1.0);
        double[] expected = {0.9, 0.71, 0.439};
        for (double e : expected) {
            opt.step(p, vec(DataType.DOUBLE, 1.0), 0.1);
            assertEquals(e, p.getDouble(0), 1e-15);
        }
        assertEquals(2.71, opt.state().get(Sgd.MOMENTUM_BUFFER).getDouble(0), 1e-15);
    }

    /** Same inputs with Nesterov: d = 1 + 0.9 * buf = 1.9, 2.71, 3.439 so p = 0.81, 0.539, 0.1951. */
    @Test
    void nesterovByHand() {
        Optimizer opt = OptimizerConfig.nesterov(0.9).create(1, DataType.DOUBLE);
        INDArray p = vec(DataType.DOUBLE, 1.0);
        double[] expected = {0.81, 0.539, 0.1951};
        for (double e : expected) {
            opt.step(p, vec(DataType.DOUBLE, 1.0), 0.1);
            assertEquals(e, p.getDouble(0), 1e-15);
        }
    }

    /** L2 decay: p = 2, g = 0, wd = 0.5, lr = 0.1 gives p = 2 - 0.1 * 0.5 * 2 = 1.9. */
    @Test
    void weightDecayIsAddedToTheGradient() {
        Optimizer opt = OptimizerConfig.sgd().withWeightDecay(0.5).create(1, DataType.DOUBLE);
        INDArray p = vec(DataType.DOUBLE, 2.0);
        opt.step(p, vec(DataType.DOUBLE, 0.0), 0.1);
        assertEquals(1.9, p.getDouble(0), 1e-15);
    }

    @ParameterizedTest
    @EnumSource(value = OptimizerType.class, names = {"SGD", "MOMENTUM", "NESTEROV"})
    void gradsAreNotModified(OptimizerType type) {
        Optimizer opt = OptimizerConfig.defaults(type).withWeightDecay(0.1).create(N, DataType.DOUBLE);
        INDArray p = vec(DataType.DOUBLE, Fixtures.P0);
        INDArray g = vec(DataType.DOUBLE, grad(0, DataType.DOUBLE));
        for (int t = 0; t < 3; t++) {
            opt.step(p, g, 0.1);
        }
        assertArrayEquals(grad(0, DataType.DOUBLE), g.toDoubleVector());
    }
}
