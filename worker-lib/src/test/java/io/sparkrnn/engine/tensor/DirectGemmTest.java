package io.sparkrnn.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.param.Views;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The CBLAS path of {@link Tensors#gemm} against a triple loop in double, for every transpose combination, on
 * views at offsets into larger buffers (as the engine's time-step and parameter views are), row-strided
 * sub-matrices, float32 and float64, alpha and beta; and what it leaves to ND4J.
 */
class DirectGemmTest {
    /** {@code alpha op(a) op(b) + beta c0} in double, row-major [m, n]. */
    static double[] reference(double[][] a, boolean ta, double[][] b, boolean tb, double[][] c0, double alpha,
            double beta) {
        int m = c0.length;
        int n = c0[0].length;
        int k = ta ? a.length : a[0].length;
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (ta ? a[p][i] : a[i][p]) * (tb ? b[j][p] : b[p][j]);
                }
                out[i * n + j] = alpha * s + beta * c0[i][j];
            }
        }
        return out;
    }

    /** A [rows, cols] view starting {@code offset} elements into a larger buffer, filled with values. */
    static INDArray viewAt(DataType dt, int offset, int rows, int cols, double seed) {
        INDArray base = Nd4j.create(dt, offset + rows * cols + 5).assign(Double.NaN);
        INDArray v = Views.of(base, offset, rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                v.putScalar(i, j, Math.sin(seed + 0.7 * i + 1.3 * j));
            }
        }
        return v;
    }

    @Test
    void everyTransposeOnOffsetViewsMatchesTheReference() {
        int m = 5;
        int n = 7;
        int k = 3;
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    INDArray a = ta ? viewAt(dt, 11, k, m, 1) : viewAt(dt, 11, m, k, 1);
                    INDArray b = tb ? viewAt(dt, 3, n, k, 2) : viewAt(dt, 3, k, n, 2);
                    INDArray c = viewAt(dt, 17, m, n, 3);
                    double[] expected = reference(a.toDoubleMatrix(), ta, b.toDoubleMatrix(), tb, c.toDoubleMatrix(),
                            0.5, 2.0);
                    assertTrue(DirectGemm.run(a, ta, b, tb, c, 0.5, 2.0));
                    double tol = dt == DataType.FLOAT ? 1e-5 : 1e-13;
                    assertArrayEquals(expected, c.dup('c').data().asDouble(), tol, dt + " ta=" + ta + " tb=" + tb);
                }
            }
        }
    }

    @Test
    void rowStridedSubMatrixWritesOnlyItsColumns() {
        INDArray whole = Nd4j.create(DataType.FLOAT, 4, 10).assign(-1);
        INDArray c = whole.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 6)); // [4, 4], row stride 10
        INDArray a = viewAt(DataType.FLOAT, 0, 4, 3, 4);
        INDArray b = viewAt(DataType.FLOAT, 0, 3, 4, 5);
        double[] expected = reference(a.toDoubleMatrix(), false, b.toDoubleMatrix(), false, c.toDoubleMatrix(), 1, 0);
        Tensors.gemm(a, false, b, false, c, 1.0, 0.0);
        assertArrayEquals(expected, c.dup('c').data().asDouble(), 1e-5);
        for (int i = 0; i < 4; i++) {
            for (int j : new int[] {0, 1, 6, 7, 8, 9}) {
                assertTrue(whole.getFloat(i, j) == -1f, "column " + j + " of row " + i + " was written");
            }
        }
    }

    @Test
    void leavesMixedTypesAndFortranOrderToNd4jAndRefusesBadShapes() {
        INDArray a = viewAt(DataType.FLOAT, 0, 2, 3, 1);
        assertFalse(DirectGemm.run(a, false, viewAt(DataType.DOUBLE, 0, 3, 2, 1), false,
                Nd4j.create(DataType.FLOAT, 2, 2), 1, 0));
        INDArray f = Nd4j.create(DataType.FLOAT, new long[] {3, 2}, 'f').assign(1);
        assertFalse(DirectGemm.run(a, false, f, false, Nd4j.create(DataType.FLOAT, 2, 2), 1, 0));
        // Tensors.gemm still computes those through ND4J
        INDArray c = Nd4j.create(DataType.FLOAT, 2, 2);
        Tensors.gemm(a, false, f, false, c, 1.0, 0.0);
        double[] expected = reference(a.toDoubleMatrix(), false, f.toDoubleMatrix(), false, c.toDoubleMatrix(), 1, 0);
        assertArrayEquals(expected, c.dup('c').data().asDouble(), 1e-5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DirectGemm.run(a, false, a, false, Nd4j.create(DataType.FLOAT, 2, 3), 1, 0));
        assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
    }

    /**
     * The small-matrix blocking ({@link DirectGemm#blocked}, used when OpenBLAS runs SkylakeX kernels) on shapes that
     * need column blocks, uneven K blocks and remainders, on row-strided views at offsets, with alpha and beta:
     * called directly, so it is tested on every CPU.
     */
    @Test
    void smallMatrixBlocksMatchTheReference() {
        int[][] shapes = {{16, 512, 128}, {16, 2048, 512}, {32, 600, 300}, {7, 130, 1200}, {1, 4096, 512}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            INDArray a = viewAt(DataType.FLOAT, 9, m, k, 1);
            INDArray wide = Nd4j.create(DataType.FLOAT, k, n + 3).assign(Double.NaN);
            INDArray b = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(1, n + 1)); // row stride n + 3
            b.assign(viewAt(DataType.FLOAT, 0, k, n, 2));
            INDArray c = viewAt(DataType.FLOAT, 5, m, n, 3);
            double[] expected = reference(a.toDoubleMatrix(), false, b.toDoubleMatrix(), false, c.toDoubleMatrix(),
                    0.5, 2.0);
            DirectGemm.blocked(m, n, k, 0.5f, DirectGemm.floats(a), k, DirectGemm.floats(b), n + 3, 2.0f,
                    DirectGemm.floats(c), n);
            assertArrayEquals(expected, c.dup('c').data().asDouble(), 2e-4, m + "x" + n + "x" + k);
            assertTrue(wide.getFloat(0, 0) != wide.getFloat(0, 0), "the column left of the view stays untouched");
        }
    }
}
