package io.sparkrnn.engine.seq2seq;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout of the encoder-decoder model while training: on the first layer's input (embeddings) and between
 * the stacked layers of the encoder and the decoder, one mask per layer input, and on the attentional vectors before
 * the output layer; each drawn from a seed derived per step and place (so a replayed step draws the same masks).
 */
final class DropoutMask {
    private DropoutMask() {
    }

    /** A mask shaped like {@code like}: 1/keep with probability keep = 1 - {@code rate}, else 0; seeded. */
    static INDArray of(INDArray like, long seed, double rate) {
        SplittableRandom rng = new SplittableRandom(seed);
        double keep = 1.0 - rate;
        double[] m = new double[(int) like.length()];
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextDouble() < keep ? 1.0 / keep : 0.0;
        }
        return Nd4j.createFromArray(m).reshape(like.shape()).castTo(like.dataType());
    }
}
