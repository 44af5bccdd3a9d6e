package io.sparkrnn.engine.tensor;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
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
    /** OpenBLAS's bound for its small-matrix sgemm kernels: M N K <= 100^3 ({@code sgemm_small_kernel_permit}). */
    static final long SMALL_MNK = 1_000_000L;
    /** Rows up to which a product is cut into small-matrix blocks (the engine's per-step products have B rows). */
    static final int SMALL_M = 32;
    /** Block width in columns of C. */
    static final int BLOCK_N = 128;
    private static final boolean BLOCKED = smallKernels();

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
        if (dt == DataType.FLOAT && BLOCKED && !transA && !transB && m <= SMALL_M && m * n * k > SMALL_MNK) {
            blocked((int) m, (int) n, (int) k, (float) alpha, floats(a), ld(a), floats(b), ld(b), (float) beta,
                    floats(c), ld(c));
        } else if (dt == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(ROW_MAJOR, ta, tb, (int) m, (int) n, (int) k, (float) alpha, floats(a),
                    ld(a), floats(b), ld(b), (float) beta, floats(c), ld(c));
        } else {
            openblas_nolapack.cblas_dgemm(ROW_MAJOR, ta, tb, (int) m, (int) n, (int) k, alpha, doubles(a), ld(a),
                    doubles(b), ld(b), beta, doubles(c), ld(c));
        }
        return true;
    }

    private static boolean smallKernels() {
        Loader.load(openblas_nolapack.class);
        return BlasKernels.smallMatrixKernels();
    }

    /**
     * {@code C = alpha A B + beta C} (row-major, no transposes) as blocks of at most {@link #BLOCK_N} columns and K
     * depth such that each block's {@code M N K} stays within {@link #SMALL_MNK}: at M = 16 OpenBLAS's SkylakeX
     * small-matrix kernels run such blocks at about 110 GFLOP/s on one Zen 4 core, its general path the whole product
     * at 55. The first K block of each column block applies {@code beta}, later ones add to it.
     */
    static void blocked(int m, int n, int k, float alpha, FloatPointer a, int lda, FloatPointer b, int ldb, float beta,
            FloatPointer c, int ldc) {
        int nc = Math.min(n, BLOCK_N);
        int kcMax = Math.max(1, (int) Math.min(k, SMALL_MNK / ((long) m * nc)));
        // Even K blocks (512 at M = 16 is two of 256, not 488 + 24), rounded up to 16 within the bound.
        int kBlocks = (k + kcMax - 1) / kcMax;
        int kc = Math.min(kcMax, ((k + kBlocks - 1) / kBlocks + 15) / 16 * 16);
        FloatPointer ap = new FloatPointer(a);
        FloatPointer bp = new FloatPointer(b);
        FloatPointer cp = new FloatPointer(c);
        long a0 = a.position();
        long b0 = b.position();
        long c0 = c.position();
        for (int j = 0; j < n; j += nc) {
            int nj = Math.min(nc, n - j);
            cp.position(c0 + j);
            for (int p = 0; p < k; p += kc) {
                int kp = Math.min(kc, k - p);
                ap.position(a0 + p);
                bp.position(b0 + (long) p * ldb + j);
                openblas_nolapack.cblas_sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, m, nj, kp, alpha, ap, lda, bp, ldb,
                        p == 0 ? beta : 1f, cp, ldc);
            }
        }
    }

    /** A rank-2 c-order array whose rows are contiguous and evenly spaced (leading dimension = row stride). */
    static boolean rowMajor(INDArray x) {
        return x.rank() == 2 && x.ordering() == 'c' && (x.size(1) == 1 || x.stride(1) == 1)
                && (x.size(0) == 1 || x.stride(0) >= x.size(1)) && !x.isEmpty();
    }

    private static int ld(INDArray x) {
        return (int) (x.size(0) == 1 ? x.size(1) : x.stride(0));
    }

    /** The address of the array's first element (an array's buffer carries the array's offset). */
    static FloatPointer floats(INDArray x) {
        Pointer p = x.data().addressPointer();
        return p instanceof FloatPointer f ? f : new FloatPointer(p);
    }

    private static DoublePointer doubles(INDArray x) {
        Pointer p = x.data().addressPointer();
        return p instanceof DoublePointer d ? d : new DoublePointer(p);
    }
}
