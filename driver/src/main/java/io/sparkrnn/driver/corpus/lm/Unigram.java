package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.train.TokenStreamBatcher;

/**
 * The baseline a language model is compared with: the add-one smoothed unigram frequencies of the training tokens,
 * {@code p(t) = (c(t) + 1) / (T + V)} over the model's whole vocabulary of V ids (for words {@code <unk>} and
 * {@code <eos>} counted as the model sees them, an id that never occurs in training keeping its 1 / (T + V)),
 * scored in bits per token on the tokens the model is scored on. Reported as {@code unigram_bits_per_char} or
 * {@code unigram_bits_per_word}.
 *
 * @param counts occurrences of each id in the training tokens
 */
public record Unigram(long[] counts) {
    /** T, the training tokens. */
    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /** {@code -log2 p(id)}. */
    public double bits(int id) {
        return bits(id, total() + counts.length);
    }

    /** {@code -log2 p(id)} with the add-one denominator T + V given. */
    private double bits(int id, double denominator) {
        return -Math.log((counts[id] + 1.0) / denominator) / Math.log(2);
    }

    /**
     * Mean bits per token of the tokens a language model predicts in one pass of {@code stream} cut into
     * {@code lanes} lanes of {@code steps}-step batches ({@link TokenStreamBatcher}: the tail that fills no batch is
     * left out), so that the figure is over the same tokens as the model's.
     */
    public double bitsPerToken(int[] stream, int lanes, int steps) {
        double[] bits = new double[counts.length];
        double denominator = total() + counts.length;
        for (int i = 0; i < bits.length; i++) {
            bits[i] = bits(i, denominator);
        }
        TokenStreamBatcher b = new TokenStreamBatcher(stream, lanes, steps);
        double sum = 0;
        long n = 0;
        for (int i = 0; i < b.batchesPerEpoch(); i++) {
            SequenceBatch batch = b.batch(i);
            for (int t : batch.targets()) {
                sum += bits[t];
                n++;
            }
        }
        return sum / n;
    }
}
