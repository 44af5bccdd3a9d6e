package io.sparkrnn.engine.optim;

import io.sparkrnn.engine.tensor.Buf;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Gradient clipping on the flat gradient vector, in place. Norm clipping follows
 * {@code torch.nn.utils.clip_grad_norm_}: with {@code n = ||g||_2},
 *
 * <pre>
 *   g = g * min(1, maxNorm / (n + 1e-6))
 * </pre>
 *
 * so that the whole vector, not each tensor, keeps its direction (Pascanu et al., "On the difficulty of training
 * recurrent neural networks", ICML 2013). A non-finite norm (NaN or infinite gradients) is returned and nothing
 * is scaled; the caller decides whether to skip the step. Value clipping follows
 * {@code torch.nn.utils.clip_grad_value_}: {@code g = clamp(g, -limit, limit)}.
 */
public final class GradientClipping {
    /** Added to the norm before dividing, as in PyTorch, so a zero vector is never divided by zero. */
    public static final double NORM_EPS = 1e-6;

    private GradientClipping() {
    }

    /**
     * The L2 norm of all elements of {@code grads}, accumulated in double whatever the dtype (a FLOAT vector is
     * converted to a temporary DOUBLE copy first). NaN if any element is NaN; infinite if any is infinite.
     */
    public static double globalNorm(INDArray grads) {
        if (grads.dataType() == DataType.FLOAT && grads.length() < Integer.MAX_VALUE && contiguous(grads)) {
            return normF32((Buf.F32) Buf.of(grads), (int) grads.length());
        }
        INDArray x = grads.dataType() == DataType.DOUBLE ? grads : grads.castTo(DataType.DOUBLE);
        return x.norm2Number().doubleValue();
    }

    /** The square root of the sum of squares in double, read in float[] chunks (no double copy of the vector). */
    private static double normF32(Buf.F32 g, int n) {
        float[] chunk = new float[Math.min(n, 16_384)];
        double sum = 0;
        for (int from = 0; from < n; from += chunk.length) {
            int len = Math.min(chunk.length, n - from);
            g.read(from, chunk, 0, len);
            for (int i = 0; i < len; i++) {
                double x = chunk[i];
                sum += x * x;
            }
        }
        return Math.sqrt(sum);
    }

    private static boolean contiguous(INDArray a) {
        return a.ordering() == 'c' && (a.length() <= 1 || a.elementWiseStride() == 1) && a.isVectorOrScalar();
    }

    /**
     * Scales {@code grads} in place by {@code maxNorm / (norm + 1e-6)} when that is below 1.
     *
     * @param maxNorm positive and finite
     * @return the norm before clipping; if it is not finite, {@code grads} is left unchanged
     */
    public static double clipByGlobalNorm(INDArray grads, double maxNorm) {
        positive("maxNorm", maxNorm);
        double norm = globalNorm(grads);
        scaleToNorm(grads, norm, maxNorm);
        return norm;
    }

    /**
     * Clamps every element of {@code grads} in place to {@code [-limit, limit]}. As with {@code torch.clamp},
     * infinities are clamped and NaN stays NaN (ND4J's scalar min/max would turn NaN into the limit).
     *
     * @param limit positive and finite
     */
    public static void clipByValue(INDArray grads, double limit) {
        positive("limit", limit);
        BooleanIndexing.replaceWhere(grads, limit, Conditions.greaterThan(limit));
        BooleanIndexing.replaceWhere(grads, -limit, Conditions.lessThan(-limit));
    }

    /** Scales {@code grads} given its precomputed {@code norm}; true if it was scaled. */
    static boolean scaleToNorm(INDArray grads, double norm, double maxNorm) {
        double scale = maxNorm / (norm + NORM_EPS);
        if (!Double.isFinite(norm) || scale >= 1) {
            return false;
        }
        grads.muli(scale);
        return true;
    }

    /** Whether {@code grads} holds an element outside {@code [-limit, limit]}, comparing in its own dtype. */
    static boolean exceeds(INDArray grads, double limit) {
        double maxAbs = grads.amaxNumber().doubleValue();
        double bound = grads.dataType() == DataType.DOUBLE ? limit : (float) limit;
        return maxAbs > bound;
    }

    static void positive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be positive and finite, found " + v);
        }
    }
}
