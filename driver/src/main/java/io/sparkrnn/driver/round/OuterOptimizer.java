package io.sparkrnn.driver.round;

import java.io.Serializable;

/**
 * The driver's step on the averaged delta d (local parameters minus global ones, averaged over partitions).
 * With the outer gradient g = -d:
 * <ul>
 *   <li>{@code PLAIN}: theta += lr * d. With lr = 1 this is classic parameter averaging; with H = 1 and inner
 *       SGD it is synchronous data-parallel SGD.</li>
 *   <li>{@code NESTEROV}: m = mu m + g; theta -= lr (g + mu m): Nesterov momentum on the averaged delta
 *       (SlowMo, Wang et al. 2019; DiLoCo, Douillard et al. 2023).</li>
 * </ul>
 */
public final class OuterOptimizer {

    /** Kind of outer step. */
    public enum Type { PLAIN, NESTEROV }

    /** Outer optimizer settings, validated. */
    public record Config(Type type, double lr, double momentum) implements Serializable {
        public Config {
            if (type == null) {
                throw new IllegalArgumentException("outer optimizer type is required (plain or nesterov)");
            }
            if (!(lr > 0) || !Double.isFinite(lr)) {
                throw new IllegalArgumentException("outer lr must be positive, found " + lr);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("outer momentum must be in [0, 1), found " + momentum);
            }
            if (type == Type.NESTEROV && momentum == 0) {
                throw new IllegalArgumentException("nesterov outer step needs momentum > 0, found 0");
            }
        }

        /** Classic parameter averaging: plain step with lr 1. */
        public static Config averaging() {
            return new Config(Type.PLAIN, 1.0, 0.0);
        }

        public static Config nesterov(double lr, double momentum) {
            return new Config(Type.NESTEROV, lr, momentum);
        }
    }

    private final Config config;
    private double[] momentum;

    public OuterOptimizer(Config config, int size) {
        this.config = config;
        this.momentum = config.type() == Type.NESTEROV ? new double[size] : null;
    }

    /** Applies the averaged delta {@code d} to {@code theta} in place. */
    public void step(float[] theta, double[] d) {
        if (theta.length != d.length) {
            throw new IllegalArgumentException("delta has " + d.length + " values, parameters " + theta.length);
        }
        double lr = config.lr();
        if (config.type() == Type.PLAIN) {
            for (int i = 0; i < theta.length; i++) {
                theta[i] = (float) (theta[i] + lr * d[i]);
            }
            return;
        }
        double mu = config.momentum();
        for (int i = 0; i < theta.length; i++) {
            double g = -d[i];
            momentum[i] = mu * momentum[i] + g;
            theta[i] = (float) (theta[i] - lr * (g + mu * momentum[i]));
        }
    }

    /** The momentum buffer (null for the plain step), for checkpoints. */
    public double[] momentum() {
        return momentum == null ? null : momentum.clone();
    }

    /** Restores the momentum buffer from a checkpoint. */
    public void setMomentum(double[] m) {
        if (config.type() != Type.NESTEROV || m == null || m.length != momentum.length) {
            throw new IllegalArgumentException("momentum buffer does not fit this outer optimizer");
        }
        momentum = m.clone();
    }

    public Config config() {
        return config;
    }
}
