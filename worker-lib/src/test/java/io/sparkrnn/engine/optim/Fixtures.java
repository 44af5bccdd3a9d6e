package io.sparkrnn.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Shared inputs for the optimizer tests: a small parameter vector, a gradient per step and a rate per step. */
final class Fixtures {
    static final double[] P0 = {0.5, -1.2, 2.0, 0.03, -0.7};
    static final int N = P0.length;

    private Fixtures() {
    }

    /** A gradient that changes sign and size with the step and the element. */
    static double[] grad(int step, DataType dtype) {
        double[] g = new double[N];
        for (int i = 0; i < N; i++) {
            g[i] = round(Math.sin(1 + 0.7 * i + 1.3 * step) * (1 + 0.5 * i), dtype);
        }
        return g;
    }

    /** A rate that changes every step. */
    static double lr(int step) {
        return 0.05 + 0.01 * step;
    }

    /** {@code v} as stored in {@code dtype}, read back as double. */
    static double round(double v, DataType dtype) {
        return dtype == DataType.FLOAT ? (float) v : v;
    }

    static double[] round(double[] v, DataType dtype) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = round(v[i], dtype);
        }
        return r;
    }

    static INDArray vec(DataType dtype, double... v) {
        return Nd4j.createFromArray(v).castTo(dtype);
    }

    static double tolerance(DataType dtype) {
        return dtype == DataType.DOUBLE ? 1e-12 : 1e-6;
    }

    /** Element-wise comparison that reports the worst element and the max difference. */
    static void assertClose(double[] expected, INDArray actual, double tol) {
        double[] a = actual.toDoubleVector();
        assertEquals(expected.length, a.length, "length");
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - a[i]));
        }
        for (int i = 0; i < a.length; i++) {
            assertEquals(expected[i], a[i], tol, "element " + i + " (max difference " + maxDiff + ")");
        }
    }

    /** Runs {@code steps} steps of {@code opt} from {@link #P0} with {@link #grad} and {@link #lr}. */
    static INDArray run(Optimizer opt, int steps) {
        INDArray p = vec(opt.dataType(), P0);
        for (int t = 0; t < steps; t++) {
            opt.step(p, vec(opt.dataType(), grad(t, opt.dataType())), lr(t));
        }
        return p;
    }
}
