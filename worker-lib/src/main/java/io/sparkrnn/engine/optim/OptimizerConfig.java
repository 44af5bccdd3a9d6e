package io.sparkrnn.engine.optim;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The settings of an inner optimizer; immutable and validated when built. Which fields a type reads:
 *
 * <pre>
 *   SGD        weightDecay                      (momentum must be 0)
 *   MOMENTUM   momentum, weightDecay            (L2: g += weightDecay * p)
 *   NESTEROV   momentum, weightDecay            (momentum must be in (0, 1), as PyTorch requires)
 *   ADAM       beta1, beta2, eps, weightDecay   (L2: g += weightDecay * p)
 *   ADAMW      beta1, beta2, eps, weightDecay   (decoupled: p *= 1 - lr * weightDecay)
 * </pre>
 *
 * Unread fields keep their defaults so that a saved config always shows complete values.
 *
 * @param type        the update rule
 * @param momentum    momentum factor in [0, 1); default 0.9 for MOMENTUM and NESTEROV
 * @param beta1       decay of the first-moment average in [0, 1); default 0.9
 * @param beta2       decay of the second-moment average in [0, 1); default 0.999
 * @param eps         added to the denominator of Adam, &gt; 0; default 1e-8
 * @param weightDecay &gt;= 0; default 0, except 0.01 for ADAMW (PyTorch's defaults)
 */
public record OptimizerConfig(OptimizerType type, double momentum, double beta1, double beta2, double eps,
                              double weightDecay) implements java.io.Serializable {

    public static final double DEFAULT_MOMENTUM = 0.9;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;
    public static final double DEFAULT_ADAMW_WEIGHT_DECAY = 0.01;

    public OptimizerConfig {
        if (type == null) {
            throw new IllegalArgumentException("type must not be null");
        }
        unitInterval("momentum", momentum);
        unitInterval("beta1", beta1);
        unitInterval("beta2", beta2);
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be positive and finite, found " + eps);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0, found " + weightDecay);
        }
        if (type == OptimizerType.SGD && momentum != 0) {
            throw new IllegalArgumentException("SGD takes no momentum (use MOMENTUM or NESTEROV), found momentum "
                    + momentum);
        }
        if (type == OptimizerType.NESTEROV && momentum == 0) {
            throw new IllegalArgumentException("NESTEROV needs momentum in (0, 1), found " + momentum);
        }
    }

    private static void unitInterval(String name, double v) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), found " + v);
        }
    }

    /** Plain SGD: {@code p -= lr * g}. */
    public static OptimizerConfig sgd() {
        return new OptimizerConfig(OptimizerType.SGD, 0.0, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, 0.0);
    }

    /** SGD with heavy-ball momentum {@code m}. */
    public static OptimizerConfig momentum(double m) {
        return new OptimizerConfig(OptimizerType.MOMENTUM, m, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, 0.0);
    }

    /** SGD with Nesterov momentum {@code m}. */
    public static OptimizerConfig nesterov(double m) {
        return new OptimizerConfig(OptimizerType.NESTEROV, m, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, 0.0);
    }

    /** Adam with betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static OptimizerConfig adam() {
        return new OptimizerConfig(OptimizerType.ADAM, DEFAULT_MOMENTUM, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS,
                0.0);
    }

    /** AdamW with betas (0.9, 0.999), eps 1e-8 and decoupled weight decay {@code wd}. */
    public static OptimizerConfig adamW(double wd) {
        return new OptimizerConfig(OptimizerType.ADAMW, DEFAULT_MOMENTUM, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS,
                wd);
    }

    /** The defaults of {@code type}, e.g. for a config file that names only the type. */
    public static OptimizerConfig defaults(OptimizerType type) {
        return switch (type) {
            case SGD -> sgd();
            case MOMENTUM -> momentum(DEFAULT_MOMENTUM);
            case NESTEROV -> nesterov(DEFAULT_MOMENTUM);
            case ADAM -> adam();
            case ADAMW -> adamW(DEFAULT_ADAMW_WEIGHT_DECAY);
        };
    }

    public OptimizerConfig withMomentum(double m) {
        return new OptimizerConfig(type, m, beta1, beta2, eps, weightDecay);
    }

    public OptimizerConfig withBeta1(double b1) {
        return new OptimizerConfig(type, momentum, b1, beta2, eps, weightDecay);
    }

    public OptimizerConfig withBeta2(double b2) {
        return new OptimizerConfig(type, momentum, beta1, b2, eps, weightDecay);
    }

    public OptimizerConfig withEps(double e) {
        return new OptimizerConfig(type, momentum, beta1, beta2, e, weightDecay);
    }

    public OptimizerConfig withWeightDecay(double wd) {
        return new OptimizerConfig(type, momentum, beta1, beta2, eps, wd);
    }

    /**
     * A fresh optimizer (step count 0, zero state) for vectors of {@code size} elements of {@code dtype}.
     *
     * @param dtype FLOAT or DOUBLE; state vectors are created in this dtype
     */
    public Optimizer create(long size, DataType dtype) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, found " + size);
        }
        Checks.floatingDtype(dtype);
        return switch (type) {
            case SGD, MOMENTUM, NESTEROV -> new Sgd(this, size, dtype);
            case ADAM, ADAMW -> new Adam(this, size, dtype);
        };
    }
}
