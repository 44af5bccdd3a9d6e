package io.sparkrnn.engine.optim;

import io.sparkrnn.engine.tensor.Buf;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam and AdamW exactly as {@code torch.optim.Adam} and {@code torch.optim.AdamW} (amsgrad off), including
 * where eps is added: to the bias-corrected root, not inside it. Step t (counted from 1) does
 *
 * <pre>
 *   g     = grad + wd * p                              ADAM with wd &gt; 0 (L2)
 *   p     = p * (1 - lr * wd)                          ADAMW (decoupled, before the moments)
 *   m     = beta1 * m + (1 - beta1) * g                state exp_avg
 *   v     = beta2 * v + (1 - beta2) * g * g            state exp_avg_sq
 *   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 *   p     = p - (lr / (1 - beta1^t)) * m / denom
 * </pre>
 *
 * Sources: Kingma &amp; Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015; Loshchilov &amp; Hutter,
 * "Decoupled Weight Decay Regularization", ICLR 2019; PyTorch documentation of {@code torch.optim.Adam} and
 * {@code torch.optim.AdamW}.
 */
public final class Adam extends BaseOptimizer {
    public static final String EXP_AVG = "exp_avg";
    public static final String EXP_AVG_SQ = "exp_avg_sq";

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    /** Elements per bulk copy in {@link #updateF32}. */
    private static final int CHUNK = 16_384;
    /** {@link #updateF32}'s chunks of the parameters, gradients and moments, kept from step to step. */
    private float[][] work;

    Adam(OptimizerConfig config, long size, DataType dtype) {
        super(config, size, dtype, List.of(EXP_AVG, EXP_AVG_SQ));
        this.beta1 = config.beta1();
        this.beta2 = config.beta2();
        this.eps = config.eps();
        this.weightDecay = config.weightDecay();
        this.decoupled = config.type() == OptimizerType.ADAMW;
    }

    @Override
    void update(INDArray params, INDArray grads, double lr) {
        if (params.dataType() == DataType.FLOAT) {
            updateF32(params, grads, lr);
            return;
        }
        INDArray g = decoupled ? grads : withL2(params, grads, weightDecay);
        if (decoupled && weightDecay != 0) {
            params.muli(1 - lr * weightDecay);
        }
        updateMoments(g);
        long t = stepCount();
        double stepSize = lr / (1 - Math.pow(beta1, t));
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        INDArray denom = scratch().assign(buffer(EXP_AVG_SQ));
        Transforms.sqrt(denom, false).divi(bc2Sqrt).addi(eps);
        params.subi(denom.rdivi(buffer(EXP_AVG)).muli(stepSize));
    }

    /**
     * {@link #update}'s arithmetic fused into one pass over float[] chunks of the four vectors (ND4J runs each of
     * its ten element-wise operations as its own pass over memory). The same float32 operations in the same order,
     * except that the step size and the bias corrections multiply in double before the final rounding.
     */
    private void updateF32(INDArray params, INDArray grads, double lr) {
        long t = stepCount();
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float c1 = (float) (1 - beta1);
        float c2 = (float) (1 - beta2);
        float stepSize = (float) (lr / (1 - Math.pow(beta1, t)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float e = (float) eps;
        float wd = (float) weightDecay;
        float keep = (float) (1 - lr * weightDecay);
        boolean l2 = !decoupled && weightDecay != 0;
        boolean shrink = decoupled && weightDecay != 0;
        Buf.F32 bp = (Buf.F32) Buf.of(params);
        Buf.F32 bg = (Buf.F32) Buf.of(grads);
        Buf.F32 bm = (Buf.F32) Buf.of(buffer(EXP_AVG));
        Buf.F32 bv = (Buf.F32) Buf.of(buffer(EXP_AVG_SQ));
        int n = (int) params.length();
        int chunk = Math.min(n, CHUNK);
        if (work == null || work[0].length < chunk) {
            work = new float[4][chunk];
        }
        float[] p = work[0];
        float[] g = work[1];
        float[] m = work[2];
        float[] v = work[3];
        for (int from = 0; from < n; from += chunk) {
            int len = Math.min(chunk, n - from);
            bp.read(from, p, 0, len);
            bg.read(from, g, 0, len);
            bm.read(from, m, 0, len);
            bv.read(from, v, 0, len);
            for (int i = 0; i < len; i++) {
                float gi = l2 ? g[i] + wd * p[i] : g[i];
                float pi = shrink ? p[i] * keep : p[i];
                float mi = b1 * m[i] + c1 * gi;
                float vi = b2 * v[i] + c2 * gi * gi;
                m[i] = mi;
                v[i] = vi;
                p[i] = pi - mi / ((float) Math.sqrt(vi) / bc2Sqrt + e) * stepSize;
            }
            bp.write(from, p, 0, len);
            bm.write(from, m, 0, len);
            bv.write(from, v, 0, len);
        }
    }

    /** The exponential moving averages of the gradient and of its square. */
    private void updateMoments(INDArray g) {
        INDArray tmp = scratch();
        buffer(EXP_AVG).muli(beta1).addi(g.mul(1 - beta1, tmp));
        buffer(EXP_AVG_SQ).muli(beta2).addi(g.mul(g, tmp).muli(1 - beta2));
    }
}
