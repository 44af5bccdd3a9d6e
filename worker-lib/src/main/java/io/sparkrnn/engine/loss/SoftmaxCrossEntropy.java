package io.sparkrnn.engine.loss;

import io.sparkrnn.engine.tensor.Buf;
import io.sparkrnn.engine.tensor.FloatMath;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax cross-entropy over logits {@code [N, C]}: loss_n = logsumexp(z_n) - z_n[y_n] for the rows that
 * count (valid and target != ignoreIndex); gradient (softmax(z_n) - onehot(y_n)) / divisor, zero elsewhere.
 * With label smoothing eps (Szegedy et al. 2016; PyTorch's {@code CrossEntropyLoss(label_smoothing=eps)}) the
 * target is (1 - eps) onehot(y_n) + eps / C: loss_n = (1 - eps) (logsumexp(z_n) - z_n[y_n]) + eps * mean_j
 * (logsumexp(z_n) - z_n[j]), gradient (softmax(z_n) - (1 - eps) onehot(y_n) - eps / C) / divisor.
 * Computed in double with the max subtracted for stability.
 */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {
    }

    /**
     * @param valid   per row, whether the row is inside its sequence (null = all)
     * @param divisor what the summed gradient is divided by; if &lt;= 0, the number of counted rows
     */
    public static LossResult compute(INDArray logits, int[] targets, boolean[] valid, int ignoreIndex,
            double divisor) {
        return compute(logits, targets, valid, ignoreIndex, divisor, null);
    }

    /**
     * As {@link #compute(INDArray, int[], boolean[], int, double)}, writing the gradient into {@code into} (the
     * logits' shape and type, c order, overwritten) when it is not null, else into a new array.
     */
    public static LossResult compute(INDArray logits, int[] targets, boolean[] valid, int ignoreIndex,
            double divisor, INDArray into) {
        return compute(logits, targets, valid, ignoreIndex, divisor, into, 0.0);
    }

    /**
     * As {@link #compute(INDArray, int[], boolean[], int, double, INDArray)}, with label smoothing {@code smoothing}
     * in [0, 1) (0 = the plain cross-entropy, computed exactly as without it).
     */
    public static LossResult compute(INDArray logits, int[] targets, boolean[] valid, int ignoreIndex,
            double divisor, INDArray into, double smoothing) {
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), found " + smoothing);
        }
        int n = (int) logits.size(0);
        int c = (int) logits.size(1);
        if (targets.length != n) {
            throw new IllegalArgumentException("expected " + n + " targets, found " + targets.length);
        }
        Buf z = Buf.of(logits.ordering() == 'c' ? logits : logits.dup('c'));
        long count = 0;
        for (int r = 0; r < n; r++) {
            if (counts(r, targets, valid, ignoreIndex)) {
                if (targets[r] < 0 || targets[r] >= c) {
                    throw new IllegalArgumentException("target at row " + r + " must be in [0, " + c + ") or "
                            + ignoreIndex + " (ignored), found " + targets[r]);
                }
                count++;
            }
        }
        double div = divisor > 0 ? divisor : Math.max(count, 1);
        // The float32 kernel writes every element; the double loop only the counted rows.
        INDArray g = into == null ? Nd4j.zeros(logits.dataType(), n, c)
                : z instanceof Buf.F32 ? into : into.assign(0);
        if (z instanceof Buf.F32 zf) {
            return new LossResult(computeF32(zf, (Buf.F32) Buf.of(g), n, c, targets, valid, ignoreIndex, div,
                    smoothing), count, g);
        }
        double sum = 0;
        Buf grad = Buf.of(g);
        double[] e = new double[c];
        for (int r = 0; r < n; r++) {
            if (!counts(r, targets, valid, ignoreIndex)) {
                continue;
            }
            int o = r * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, z.get(o + j));
            }
            double s = 0;
            for (int j = 0; j < c; j++) {
                e[j] = Math.exp(z.get(o + j) - max);
                s += e[j];
            }
            double lse = Math.log(s) + max;
            if (smoothing == 0) {
                sum += lse - z.get(o + targets[r]);
                for (int j = 0; j < c; j++) {
                    grad.set(o + j, e[j] / (s * div) - (j == targets[r] ? 1.0 / div : 0.0));
                }
                continue;
            }
            double zSum = 0;
            for (int j = 0; j < c; j++) {
                zSum += z.get(o + j);
            }
            sum += (1 - smoothing) * (lse - z.get(o + targets[r])) + smoothing * (lse - zSum / c);
            double uniform = smoothing / (c * div);
            for (int j = 0; j < c; j++) {
                grad.set(o + j, e[j] / (s * div) - uniform - (j == targets[r] ? (1 - smoothing) / div : 0.0));
            }
        }
        return new LossResult(sum, count, g);
    }

    /**
     * The float32 case of the loop in {@link #compute}, in double as well, on one bulk copy of the logits and of the
     * gradient (element-wise access to native memory cost more than the exponentials), with the exponentials of the
     * whole window in one vectorised pass ({@link FloatMath#expNonPositive}; {@code Math.exp} is a scalar call of
     * about 15 ns per element, 10% of a SimpleRNN-128 step).
     */
    private static double computeF32(Buf.F32 z, Buf.F32 grad, int n, int c, int[] targets, boolean[] valid,
            int ignoreIndex, double div, double smoothing) {
        float[] zs = new float[n * c];
        float[] gs = new float[n * c];
        double[] e = new double[n * c];
        double[] max = new double[n];
        z.read(0, zs, 0, n * c);
        for (int r = 0; r < n; r++) {
            if (!counts(r, targets, valid, ignoreIndex)) {
                continue; // e stays 0 there: exp(0) = 1, never read
            }
            int o = r * c;
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                m = Math.max(m, zs[o + j]);
            }
            max[r] = m;
            for (int j = 0; j < c; j++) {
                e[o + j] = zs[o + j] - m;
            }
        }
        FloatMath.expNonPositive(e, 0, n * c);
        double sum = 0;
        for (int r = 0; r < n; r++) {
            if (!counts(r, targets, valid, ignoreIndex)) {
                continue;
            }
            int o = r * c;
            double s = 0;
            for (int j = 0; j < c; j++) {
                s += e[o + j];
            }
            double sd = s * div;
            if (smoothing == 0) {
                sum += Math.log(s) + max[r] - zs[o + targets[r]];
                for (int j = 0; j < c; j++) {
                    gs[o + j] = (float) (e[o + j] / sd);
                }
                gs[o + targets[r]] = (float) (e[o + targets[r]] / sd - 1.0 / div);
                continue;
            }
            double lse = Math.log(s) + max[r];
            double zSum = 0;
            double uniform = smoothing / (c * div);
            for (int j = 0; j < c; j++) {
                zSum += zs[o + j];
                gs[o + j] = (float) (e[o + j] / sd - uniform);
            }
            sum += (1 - smoothing) * (lse - zs[o + targets[r]]) + smoothing * (lse - zSum / c);
            gs[o + targets[r]] = (float) (e[o + targets[r]] / sd - uniform - (1 - smoothing) / div);
        }
        grad.write(0, gs, 0, n * c);
        return sum;
    }

    private static boolean counts(int r, int[] targets, boolean[] valid, int ignoreIndex) {
        return (valid == null || valid[r]) && targets[r] != ignoreIndex;
    }
}
