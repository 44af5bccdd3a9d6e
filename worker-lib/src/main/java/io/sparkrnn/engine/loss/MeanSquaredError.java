package io.sparkrnn.engine.loss;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mean squared error over predictions {@code [N, O]}: sum = sum_{n,o} (p - y)^2 over all N*O values;
 * gradient 2 (p - y) / divisor.
 */
public final class MeanSquaredError {
    private MeanSquaredError() {
    }

    /** @param divisor what the gradient is divided by; if &lt;= 0, N*O */
    public static LossResult compute(INDArray predictions, float[] targets, double divisor) {
        long n = predictions.length();
        if (targets.length != n) {
            throw new IllegalArgumentException("expected " + n + " regression targets, found " + targets.length);
        }
        double[] p = (predictions.isView() ? predictions.dup('c') : predictions).data().asDouble();
        double div = divisor > 0 ? divisor : n;
        double sum = 0;
        double[] g = new double[(int) n];
        for (int i = 0; i < n; i++) {
            double d = p[i] - targets[i];
            sum += d * d;
            g[i] = 2 * d / div;
        }
        INDArray grad = Nd4j.createFromArray(g).reshape(predictions.shape()).castTo(predictions.dataType());
        return new LossResult(sum, n, grad);
    }
}
