package io.sparkrnn.engine.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Label-smoothed cross-entropy against hand computations, in both the float64 and the bulk float32 path. */
class LabelSmoothingTest {
    @Test
    void handComputedSmoothedLossAndGradient() {
        // logits (0, ln 3, 0), target 1: p = (1/5, 3/5, 1/5); eps = 0.3 over C = 3 classes:
        // loss = 0.7 * -ln(3/5) + 0.3 * mean(-ln(1/5), -ln(3/5), -ln(1/5)) = ln 5 - 0.8 ln 3
        // grad = p - 0.7 onehot - 0.1 = (0.1, -0.2, 0.1), divided by the divisor 2; the padding row is skipped
        double ln3 = Math.log(3);
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray z = Nd4j.createFromArray(new double[][] {{0, ln3, 0}, {4, -1, 2}}).castTo(dt);
            LossResult r = SoftmaxCrossEntropy.compute(z, new int[] {1, -100}, null, -100, 2.0, null, 0.3);
            double tol = dt == DataType.FLOAT ? 1e-6 : 1e-14;
            assertEquals(1, r.count());
            assertEquals(Math.log(5) - 0.8 * ln3, r.sum(), tol, dt.toString());
            assertArrayEquals(new double[] {0.05, -0.1, 0.05, 0, 0, 0}, r.gradient().dup('c').data().asDouble(),
                    tol, dt.toString());
        }
    }

    @Test
    void zeroSmoothingIsThePlainCrossEntropyBitForBit() {
        INDArray z = Nd4j.createFromArray(new double[][] {{0.3, -1.2, 2.5, 0}, {1, 1, -3, 0.5}});
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray x = z.castTo(dt);
            LossResult plain = SoftmaxCrossEntropy.compute(x, new int[] {2, 0}, null, -100, 0);
            LossResult zero = SoftmaxCrossEntropy.compute(x, new int[] {2, 0}, null, -100, 0, null, 0.0);
            assertEquals(plain.sum(), zero.sum(), 0.0);
            assertEquals(plain.gradient(), zero.gradient());
        }
    }

    @Test
    void smoothedGradientMatchesCentralDifferences() {
        double[][] z = {{0.3, -1.2, 2.5, 0}, {1, 1, -3, 0.5}, {-2, 0.1, 0.4, 1.7}};
        int[] t = {2, 0, 3};
        double eps = 0.15;
        INDArray g = SoftmaxCrossEntropy.compute(Nd4j.createFromArray(z), t, null, -100, 0, null, eps).gradient();
        double h = 1e-6;
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < z[i].length; j++) {
                double[][] up = copy(z);
                double[][] down = copy(z);
                up[i][j] += h;
                down[i][j] -= h;
                double num = (mean(up, t, eps) - mean(down, t, eps)) / (2 * h);
                assertEquals(num, g.getDouble(i, j), 1e-8, "logit " + i + "," + j);
            }
        }
    }

    @Test
    void refusesASmoothingOutsideItsRange() {
        INDArray z = Nd4j.createFromArray(new double[][] {{0, 1}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SoftmaxCrossEntropy.compute(z, new int[] {0}, null, -100, 0, null, 1.0));
        assertEquals("label smoothing must be in [0, 1), found 1.0", e.getMessage());
    }

    private static double mean(double[][] z, int[] t, double eps) {
        return SoftmaxCrossEntropy.compute(Nd4j.createFromArray(z), t, null, -100, 0, null, eps).mean();
    }

    private static double[][] copy(double[][] z) {
        double[][] c = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            c[i] = z[i].clone();
        }
        return c;
    }
}
