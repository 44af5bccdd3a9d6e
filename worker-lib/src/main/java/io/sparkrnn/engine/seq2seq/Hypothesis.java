package io.sparkrnn.engine.seq2seq;

/**
 * One decoded output: the tokens (without {@code <eos>}), whether decoding stopped at {@code <eos>} (else it
 * reached the length limit), the model's log-probability of the tokens (and of {@code <eos>} when finished),
 * and the length-normalised score {@code logProb / ((5 + n) / 6)^alpha} (Wu et al. 2016), n = number of
 * generated tokens including {@code <eos>}.
 */
public record Hypothesis(int[] tokens, boolean finished, double logProb, double score) {
    /** The normalised score of a hypothesis of {@code generated} tokens with log-probability {@code logProb}. */
    public static double normalise(double logProb, int generated, double alpha) {
        return alpha == 0 ? logProb : logProb / Math.pow((5.0 + generated) / 6.0, alpha);
    }
}
