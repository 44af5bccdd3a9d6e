package io.sparkrnn.engine.optim;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stochastic gradient descent, plain or with (Nesterov) momentum, exactly as {@code torch.optim.SGD} with
 * dampening 0. With weight decay {@code wd}, momentum {@code mu} and learning rate {@code lr}, step t does
 *
 * <pre>
 *   g   = grad + wd * p                          (L2, skipped when wd = 0)
 *   buf = g                  if t = 1            (PyTorch creates the buffer from the first gradient)
 *   buf = mu * buf + g       otherwise
 *   d   = g + mu * buf       NESTEROV
 *   d   = buf                MOMENTUM
 *   d   = g                  SGD
 *   p   = p - lr * d
 * </pre>
 *
 * State: {@code momentum_buffer} for MOMENTUM and NESTEROV, none for SGD. Sources: PyTorch documentation of
 * {@code torch.optim.SGD}; Sutskever et al., "On the importance of initialization and momentum in deep
 * learning", ICML 2013.
 */
public final class Sgd extends BaseOptimizer {
    public static final String MOMENTUM_BUFFER = "momentum_buffer";

    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private final boolean hasBuffer;

    Sgd(OptimizerConfig config, long size, DataType dtype) {
        super(config, size, dtype, config.type() == OptimizerType.SGD ? List.of() : List.of(MOMENTUM_BUFFER));
        this.momentum = config.momentum();
        this.weightDecay = config.weightDecay();
        this.nesterov = config.type() == OptimizerType.NESTEROV;
        this.hasBuffer = config.type() != OptimizerType.SGD;
    }

    @Override
    void update(INDArray params, INDArray grads, double lr) {
        INDArray g = withL2(params, grads, weightDecay);
        INDArray d = hasBuffer ? direction(g) : g;
        params.subi(d.mul(lr, scratch()));
    }

    /** Updates the momentum buffer from {@code g} and returns the descent direction. */
    private INDArray direction(INDArray g) {
        INDArray buf = buffer(MOMENTUM_BUFFER);
        if (stepCount() == 1) { // step() counts before update(): this is the first step
            buf.assign(g);
        } else {
            buf.muli(momentum).addi(g);
        }
        return nesterov ? buf.mul(momentum, scratch()).addi(g) : buf;
    }
}
