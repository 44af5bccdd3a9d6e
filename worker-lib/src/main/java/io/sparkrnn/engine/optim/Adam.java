package io.sparkrnn.engine.optim;

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

    /** The exponential moving averages of the gradient and of its square. */
    private void updateMoments(INDArray g) {
        INDArray tmp = scratch();
        buffer(EXP_AVG).muli(beta1).addi(g.mul(1 - beta1, tmp));
        buffer(EXP_AVG_SQ).muli(beta2).addi(g.mul(g, tmp).muli(1 - beta2));
    }
}
