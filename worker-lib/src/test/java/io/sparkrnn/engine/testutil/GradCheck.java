package io.sparkrnn.engine.testutil;

import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences in float64 with the five-point stencil
 * f'(x) = (-f(x+2e) + 8 f(x+e) - 8 f(x-e) + f(x-2e)) / (12 e), whose truncation error is O(e^4), so that
 * rounding (about 1e-16 |f| / e) dominates and stays near 1e-12. The relative error of one element is
 * |analytic - numeric| / max(|analytic|, |numeric|); elements where both are below {@code FLOOR} are
 * divided by {@code FLOOR} instead, i.e. held to an absolute error of 1e-11 at the 1e-6 threshold (their
 * relative error is dominated by rounding, not by
 * a wrong formula).
 */
public final class GradCheck {
    public static final double EPS = 1e-4;
    public static final double FLOOR = 1e-5;

    private GradCheck() {
    }

    /** Result of one check: the worst relative error and where it happened. */
    public record Result(double maxRelError, long worstIndex, double analytic, double numeric, int checked) {
        @Override
        public String toString() {
            return String.format("max rel error %.3e at %d (analytic %.10e, numeric %.10e) over %d elements",
                    maxRelError, worstIndex, analytic, numeric, checked);
        }
    }

    /**
     * Compares {@code analytic} with central differences of {@code loss} with respect to every element of
     * {@code x} (which {@code loss} must read). {@code x} is restored afterwards.
     */
    public static Result check(INDArray x, INDArray analytic, DoubleSupplier loss) {
        INDArray flat = x.reshape(x.length());
        INDArray an = analytic.dup().reshape(analytic.length());
        double worst = 0;
        long worstAt = -1;
        double wa = 0;
        double wn = 0;
        for (long i = 0; i < flat.length(); i++) {
            double orig = x.getDouble(unravel(x, i));
            long[] at = unravel(x, i);
            double lp2 = eval(x, at, orig + 2 * EPS, loss);
            double lp = eval(x, at, orig + EPS, loss);
            double lm = eval(x, at, orig - EPS, loss);
            double lm2 = eval(x, at, orig - 2 * EPS, loss);
            x.putScalar(at, orig);
            double num = (-lp2 + 8 * lp - 8 * lm + lm2) / (12 * EPS);
            double a = an.getDouble(i);
            double denom = Math.max(Math.max(Math.abs(a), Math.abs(num)), FLOOR);
            double rel = Math.abs(a - num) / denom;
            if (rel > worst || worstAt < 0) {
                worst = rel;
                worstAt = i;
                wa = a;
                wn = num;
            }
        }
        return new Result(worst, worstAt, wa, wn, (int) flat.length());
    }

    private static double eval(INDArray x, long[] at, double value, DoubleSupplier loss) {
        x.putScalar(at, value);
        return loss.getAsDouble();
    }

    private static long[] unravel(INDArray x, long i) {
        long[] shape = x.shape();
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = i % shape[d];
            i /= shape[d];
        }
        return idx;
    }
}
