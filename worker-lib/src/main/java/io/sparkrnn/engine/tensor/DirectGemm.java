package io.sparkrnn.engine.tensor;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code C = alpha op(A) op(B) + beta C} straight through CBLAS ({@code cblas_sgemm} / {@code cblas_dgemm} of the
 * BLAS that ND4J itself calls), for row-major matrices with unit column stride (contiguous arrays and the engine's
 * time-step views). {@code Nd4j.gemm} runs a libnd4j matmul op around the same BLAS call, which costs 10-25 us per
 * call on this machine: as much as the product itself for the engine's per-step [B, H] x [H, G] GEMMs at H = 128.
 */
final class DirectGemm {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private DirectGemm() {
    }

    /**
     * Runs the product through CBLAS and returns true, or returns false (nothing done) when an operand is not a
     * float32/float64 row-major matrix of the same type as {@code c} (the caller then uses ND4J).
     */
    static boolean run(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double alpha, double beta) {
        DataType dt = c.dataType();
        if ((dt != DataType.FLOAT && dt != DataType.DOUBLE) || a.dataType() != dt || b.dataType() != dt
                || !rowMajor(a) || !rowMajor(b) || !rowMajor(c)) {
            return false;
        }
        long m = c.size(0);
        long n = c.size(1);
        long k = transA ? a.size(0) : a.size(1);
        if ((transA ? a.size(1) : a.size(0)) != m || (transB ? b.size(0) : b.size(1)) != n
                || (transB ? b.size(1) : b.size(0)) != k) {
            throw new IllegalArgumentException("gemm shapes do not fit: op(A) " + (transA ? a.size(1) : a.size(0)) + "x"
                    + k + ", op(B) " + (transB ? b.size(1) : b.size(0)) + "x" + (transB ? b.size(0) : b.size(1))
                    + ", C " + m + "x" + n);
        }
        if (m == 0 || n == 0 || k == 0 || Math.max(Math.max(a.length(), b.length()), c.length()) > Integer.MAX_VALUE) {
            return false;
        }
        int ta = transA ? TRANS : NO_TRANS;
        int tb = transB ? TRANS : NO_TRANS;
        if (dt == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(ROW_MAJOR, ta, tb, (int) m, (int) n, (int) k, (float) alpha, floats(a),
                    ld(a), floats(b), ld(b), (float) beta, floats(c), ld(c));
        } else {
            openblas_nolapack.cblas_dgemm(ROW_MAJOR, ta, tb, (int) m, (int) n, (int) k, alpha, doubles(a), ld(a),
                    doubles(b), ld(b), beta, doubles(c), ld(c));
        }
        return true;
    }

    /** A rank-2 c-order array whose rows are contiguous and evenly spaced (leading dimension = row stride). */
    private static boolean rowMajor(INDArray x) {
        return x.rank() == 2 && x.ordering() == 'c' && (x.size(1) == 1 || x.stride(1) == 1)
                && (x.size(0) == 1 || x.stride(0) >= x.size(1)) && !x.isEmpty();
    }

    private static int ld(INDArray x) {
        return (int) (x.size(0) == 1 ? x.size(1) : x.stride(0));
    }

    /** The address of the array's first element (an array's buffer carries the array's offset). */
    private static FloatPointer floats(INDArray x) {
        Pointer p = x.data().addressPointer();
        return p instanceof FloatPointer f ? f : new FloatPointer(p);
    }

    private static DoublePointer doubles(INDArray x) {
        Pointer p = x.data().addressPointer();
        return p instanceof DoublePointer d ? d : new DoublePointer(p);
    }
}
