package io.sparkrnn.engine.loss;

import io.sparkrnn.engine.tensor.Buf;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax cross-entropy over logits {@code [N, C]}: loss_n = logsumexp(z_n) - z_n[y_n] for the rows that
 * count (valid and target != ignoreIndex); gradient (softmax(z_n) - onehot(y_n)) / divisor, zero elsewhere.
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
        INDArray g = Nd4j.zeros(logits.dataType(), n, c);
        if (z instanceof Buf.F32 zf) {
            return new LossResult(computeF32(zf, (Buf.F32) Buf.of(g), n, c, targets, valid, ignoreIndex, div), count,
                    g);
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
            sum += Math.log(s) + max - z.get(o + targets[r]);
            for (int j = 0; j < c; j++) {
                grad.set(o + j, e[j] / (s * div) - (j == targets[r] ? 1.0 / div : 0.0));
            }
        }
        return new LossResult(sum, count, g);
    }

    /**
     * The float32 case of the loop in {@link #compute}, the same arithmetic in double, on one bulk copy of the logits
     * and of the gradient (element-wise access to native memory cost more than the exponentials).
     */
    private static double computeF32(Buf.F32 z, Buf.F32 grad, int n, int c, int[] targets, boolean[] valid,
            int ignoreIndex, double div) {
        float[] zs = new float[n * c];
        float[] gs = new float[n * c];
        z.read(0, zs, 0, n * c);
        double[] e = new double[c];
        double sum = 0;
        for (int r = 0; r < n; r++) {
            if (!counts(r, targets, valid, ignoreIndex)) {
                continue;
            }
            int o = r * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, zs[o + j]);
            }
            double s = 0;
            for (int j = 0; j < c; j++) {
                e[j] = Math.exp(zs[o + j] - max);
                s += e[j];
            }
            sum += Math.log(s) + max - zs[o + targets[r]];
            double sd = s * div;
            for (int j = 0; j < c; j++) {
                gs[o + j] = (float) (e[j] / sd);
            }
            gs[o + targets[r]] = (float) (e[targets[r]] / sd - 1.0 / div);
        }
        grad.write(0, gs, 0, n * c);
        return sum;
    }

    private static boolean counts(int r, int[] targets, boolean[] valid, int ignoreIndex) {
        return (valid == null || valid[r]) && targets[r] != ignoreIndex;
    }
}
