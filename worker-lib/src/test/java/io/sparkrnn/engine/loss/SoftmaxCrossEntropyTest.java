package io.sparkrnn.engine.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Hand-computed values, and the bulk float32 path against the float64 one on the same logits. */
class SoftmaxCrossEntropyTest {
    @Test
    void handComputedLossAndGradientWithIgnoredAndInvalidRows() {
        // row 0: logits (0, ln 3), target 1: p = (1/4, 3/4), loss = ln(4/3); row 1 ignored; row 2 invalid
        double ln3 = Math.log(3);
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray z = Nd4j.createFromArray(new double[][] {{0, ln3}, {5, -5}, {1, 2}}).castTo(dt);
            LossResult r = SoftmaxCrossEntropy.compute(z, new int[] {1, -100, 0}, new boolean[] {true, true, false},
                    -100, 2.0);
            double tol = dt == DataType.FLOAT ? 1e-6 : 1e-15;
            assertEquals(1, r.count());
            assertEquals(Math.log(4.0 / 3), r.sum(), tol, dt.toString());
            assertArrayEquals(new double[] {0.25 / 2, (0.75 - 1) / 2, 0, 0, 0, 0},
                    r.gradient().dup('c').data().asDouble(), tol, dt.toString());
        }
    }

    @Test
    void float32PathMatchesFloat64() {
        int n = 37;
        int c = 11;
        double[][] z = new double[n][c];
        int[] t = new int[n];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                z[i][j] = (float) (4 * rng.nextGaussian());
            }
            t[i] = i % 7 == 0 ? -100 : rng.nextInt(c);
        }
        LossResult d = SoftmaxCrossEntropy.compute(Nd4j.createFromArray(z), t, null, -100, 0);
        LossResult f = SoftmaxCrossEntropy.compute(Nd4j.createFromArray(z).castTo(DataType.FLOAT), t, null, -100, 0);
        assertEquals(d.count(), f.count());
        assertEquals(d.sum(), f.sum(), 1e-9 * Math.abs(d.sum()));
        assertArrayEquals(d.gradient().data().asDouble(), f.gradient().castTo(DataType.DOUBLE).data().asDouble(), 1e-8);
    }

    /** A reused gradient array full of leftovers gets exactly the gradient a new array gets, ignored rows zero. */
    @Test
    void gradientIntoAReusedArrayOverwritesItsLeftovers() {
        double[][] z = {{1, 2, 3}, {0.5, -1, 2}, {3, 3, -2}, {0, 0, 0}};
        int[] t = {2, -100, 0, 1};
        boolean[] valid = {true, true, true, false};
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray logits = Nd4j.createFromArray(z).castTo(dt);
            LossResult fresh = SoftmaxCrossEntropy.compute(logits, t, valid, -100, 0);
            INDArray reused = Nd4j.create(dt, 4, 3).assign(Double.NaN);
            LossResult into = SoftmaxCrossEntropy.compute(logits, t, valid, -100, 0, reused);
            assertEquals(fresh.sum(), into.sum());
            assertArrayEquals(fresh.gradient().data().asDouble(), reused.data().asDouble(), 0.0, dt.toString());
            assertEquals(0.0, reused.getDouble(1, 0));
        }
    }
}
