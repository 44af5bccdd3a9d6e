package io.sparkrnn.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The linear layer's backward pass: float32 (bias gradient summed on a bulk copy) against float64 (ND4J). */
class LinearTest {
    @Test
    void float32BackwardMatchesFloat64() {
        int n = 300;
        int in = 5;
        int out = 7;
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        double[][] x = new double[n][in];
        double[][] dy = new double[n][out];
        double[][] w = new double[out][in];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < in; j++) {
                x[i][j] = r.nextDouble() - 0.5;
            }
            for (int j = 0; j < out; j++) {
                dy[i][j] = r.nextDouble() - 0.5;
            }
        }
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                w[i][j] = r.nextDouble() - 0.5;
            }
        }
        Linear lin = new Linear("head", in, out);
        INDArray[] d = run(lin, DataType.DOUBLE, x, dy, w);
        INDArray[] f = run(lin, DataType.FLOAT, x, dy, w);
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(d[k].data().asDouble(), f[k].castTo(DataType.DOUBLE).data().asDouble(), 1e-5,
                    new String[] {"dW", "db", "dx"}[k]);
        }
        // db by hand: 0.5 (the starting value) plus the column sums of dy
        double[] db = new double[out];
        for (double[] row : dy) {
            for (int j = 0; j < out; j++) {
                db[j] += row[j];
            }
        }
        for (int j = 0; j < out; j++) {
            db[j] += 0.5;
        }
        assertArrayEquals(db, f[1].castTo(DataType.DOUBLE).data().asDouble(), 1e-5);
    }

    private static INDArray[] run(Linear lin, DataType dt, double[][] x, double[][] dy, double[][] w) {
        INDArray gw = Nd4j.zeros(dt, w.length, w[0].length);
        INDArray gb = Nd4j.zeros(dt, w.length).assign(0.5);
        INDArray dx = lin.backward(Nd4j.createFromArray(w).castTo(dt), gw, gb, Nd4j.createFromArray(x).castTo(dt),
                Nd4j.createFromArray(dy).castTo(dt));
        return new INDArray[] {gw, gb, dx};
    }
}
