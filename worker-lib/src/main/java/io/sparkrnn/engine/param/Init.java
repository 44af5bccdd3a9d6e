package io.sparkrnn.engine.param;

import java.util.SplittableRandom;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch's initialisations, drawn from one seeded generator in layout order so that a seed fixes the
 * whole parameter vector: N(0, 1) for embeddings ({@code nn.Embedding}), U(-k, k) for recurrent and linear
 * layers ({@code nn.LSTM}: k = 1/sqrt(hidden); {@code nn.Linear}: k = 1/sqrt(in)).
 */
public final class Init {
    private Init() {
    }

    /** {@code n} draws from N(0, 1) (Box-Muller). */
    public static double[] normal(SplittableRandom rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double u1 = rng.nextDouble();
            double u2 = rng.nextDouble();
            v[i] = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
        }
        return v;
    }

    /** {@code n} draws from U(-k, k). */
    public static double[] uniform(SplittableRandom rng, int n, double k) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rng.nextDouble() * 2 - 1) * k;
        }
        return v;
    }

    /** Writes {@code values} into the tensor {@code e} of {@code p}. */
    public static void set(FlatParams p, ParamLayout.Entry e, double[] values) {
        p.view(e).assign(Nd4j.createFromArray(values).reshape(e.shape()).castTo(p.dataType()));
    }
}
