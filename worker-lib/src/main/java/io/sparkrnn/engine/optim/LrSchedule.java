package io.sparkrnn.engine.optim;

/**
 * The learning rate of each optimizer step, for steps {@code 0, 1, 2, ...}. With peak rate {@code P}, floor
 * {@code M}, {@code W} warm-up steps and {@code T} total steps:
 *
 * <pre>
 *   lr(s) = P * (s + 1) / W                        s &lt; W          (linear warm-up, reaching P at s = W - 1)
 *   lr(s) = M + (P - M) * f((s - W) / (T - W))     W &lt;= s &lt; T     (decay)
 *   lr(s) = M                                      s &gt;= T
 *   f(x)  = (1 + cos(pi * x)) / 2                  cosine (Loshchilov &amp; Hutter, "SGDR", ICLR 2017)
 *   f(x)  = 1 - x                                  linear
 * </pre>
 *
 * The cosine form is the one nanoGPT uses; at the middle of the decay it gives {@code (P + M) / 2}.
 */
public sealed interface LrSchedule extends java.io.Serializable permits LrSchedule.Constant, LrSchedule.WarmupDecay {

    /** The learning rate of step {@code step} (0-based). */
    double lr(long step);

    /** The same rate {@code lr} at every step. */
    static LrSchedule constant(double lr) {
        return new Constant(lr);
    }

    /** Linear warm-up to {@code peak}, cosine decay to {@code minLr} at {@code totalSteps}, then {@code minLr}. */
    static LrSchedule warmupCosine(double peak, long warmupSteps, long totalSteps, double minLr) {
        return new WarmupDecay(Decay.COSINE, peak, warmupSteps, totalSteps, minLr);
    }

    /** Linear warm-up to {@code peak}, linear decay to {@code minLr} at {@code totalSteps}, then {@code minLr}. */
    static LrSchedule warmupLinear(double peak, long warmupSteps, long totalSteps, double minLr) {
        return new WarmupDecay(Decay.LINEAR, peak, warmupSteps, totalSteps, minLr);
    }

    /** The shape of the decay after warm-up. */
    enum Decay {
        COSINE,
        LINEAR;

        /** Fraction of {@code peak - minLr} left at decay progress {@code x} in [0, 1]. */
        double remaining(double x) {
            return this == COSINE ? 0.5 * (1 + Math.cos(Math.PI * x)) : 1 - x;
        }
    }

    /** A constant learning rate, positive and finite. */
    record Constant(double value) implements LrSchedule {
        public Constant {
            positive("lr", value);
        }

        @Override
        public double lr(long step) {
            nonNegativeStep(step);
            return value;
        }
    }

    /**
     * Linear warm-up then decay; see {@link LrSchedule}.
     *
     * @param peak        rate reached at the end of warm-up, positive and finite
     * @param warmupSteps number of warm-up steps, 0 &lt;= warmupSteps &lt;= totalSteps (0: start at the peak)
     * @param totalSteps  step at which the decay reaches {@code minLr}, positive
     * @param minLr       rate at and after {@code totalSteps}, 0 &lt;= minLr &lt;= peak
     */
    record WarmupDecay(Decay decay, double peak, long warmupSteps, long totalSteps, double minLr)
            implements LrSchedule {
        public WarmupDecay {
            if (decay == null) {
                throw new IllegalArgumentException("decay must not be null");
            }
            positive("peak", peak);
            if (!(minLr >= 0 && minLr <= peak)) {
                throw new IllegalArgumentException("minLr must be in [0, peak=" + peak + "], found " + minLr);
            }
            if (totalSteps <= 0) {
                throw new IllegalArgumentException("totalSteps must be positive, found " + totalSteps);
            }
            if (warmupSteps < 0 || warmupSteps > totalSteps) {
                throw new IllegalArgumentException("warmupSteps must be in [0, totalSteps=" + totalSteps + "], found "
                        + warmupSteps);
            }
        }

        @Override
        public double lr(long step) {
            nonNegativeStep(step);
            if (step < warmupSteps) {
                return peak * (step + 1) / warmupSteps;
            }
            if (step >= totalSteps) {
                return minLr;
            }
            double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
            return minLr + (peak - minLr) * decay.remaining(progress);
        }
    }

    private static void positive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be positive and finite, found " + v);
        }
    }

    private static void nonNegativeStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, found " + step);
        }
    }
}
