package io.sparkrnn.engine.tensor;

import io.sparkrnn.engine.param.Views;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Small array helpers shared by the engine. Sequence tensors are time-major and c-ordered:
 * {@code [T, B, X]}, so that the slice of one time step is a contiguous {@code [B, X]} block and the
 * whole window is a {@code [T*B, X]} matrix for one GEMM.
 */
public final class Tensors {
    static {
        BlasKernels.configure();
    }

    private Tensors() {
    }

    /** The contiguous {@code [B, X]} block of time step {@code t} in a c-ordered {@code [T, B, X]} array. */
    public static INDArray step(INDArray seq, long t) {
        long b = seq.size(1);
        long x = seq.size(2);
        return Views.of(seq, t * b * x, b, x);
    }

    /** Time steps {@code [from, to)} of {@code seq} as a {@code [(to-from)*B, X]} matrix view. */
    public static INDArray steps2d(INDArray seq, long from, long to) {
        long b = seq.size(1);
        long x = seq.size(2);
        return Views.of(seq, from * b * x, (to - from) * b, x);
    }

    /** The whole {@code [T, B, X]} array as a {@code [T*B, X]} matrix view. */
    public static INDArray as2d(INDArray seq) {
        return steps2d(seq, 0, seq.size(0));
    }

    /** A vector {@code [N]} as a {@code [1, N]} row view of the same memory. */
    public static INDArray asRow(INDArray v) {
        return Views.of(v, 0, 1, v.length());
    }

    /**
     * {@code c = alpha * op(a) * op(b) + beta * c}, in place in {@code c}: through CBLAS directly for row-major
     * float32/float64 matrices ({@link DirectGemm}), else through ND4J. Inside a bf16 training step
     * ({@link Bf16Products#run}) float32 products take bf16 operands with float32 accumulation where eligible.
     */
    public static void gemm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double alpha,
            double beta) {
        Bf16Products bf16 = Bf16Products.current();
        if (bf16 != null && bf16.gemm(a, transA, b, transB, c, alpha, beta)) {
            return;
        }
        if (!DirectGemm.run(a, transA, b, transB, c, alpha, beta)) {
            Nd4j.gemm(a, b, c, transA, transB, alpha, beta);
        }
    }

    /** A new zero array of {@code dtype} and c-order {@code shape}. */
    public static INDArray zeros(DataType dtype, long... shape) {
        return Nd4j.zeros(dtype, shape);
    }


}
