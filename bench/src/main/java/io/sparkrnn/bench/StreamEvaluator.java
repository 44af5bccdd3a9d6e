package io.sparkrnn.bench;

import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.train.TokenStreamBatcher;

/**
 * One evaluator for every implementation: bits per character of a validation stream, cut into {@code lanes}
 * lanes of {@code steps}-step windows with the recurrent state carried across windows (as
 * {@link io.sparkrnn.engine.train.StreamLoss}), from each model's own next-token probabilities:
 * {@code bpc = -(1/N) sum_{t,b} log2 p(x[t+1] | x[..t])}.
 */
final class StreamEvaluator {
    /** Probabilities below this are counted as this (a model may underflow to 0 in float32). */
    static final double FLOOR = 1e-30;

    private StreamEvaluator() {
    }

    /** A language model that predicts the next token of each lane, carrying its state across calls. */
    interface NextTokenModel {
        /** Clears the recurrent state (before the first window). */
        void reset();

        /**
         * Probabilities of the next token after each step of {@code window} ({@code [T, B]} time-major tokens):
         * row {@code t*B + b} of a {@code [T*B, V]} row-major array.
         */
        float[] probabilities(SequenceBatch window);
    }

    static double bitsPerChar(NextTokenModel m, int[] stream, int lanes, int steps, int vocabulary) {
        TokenStreamBatcher windows = new TokenStreamBatcher(stream, lanes, steps);
        m.reset();
        double sum = 0;
        long n = 0;
        for (int i = 0; i < windows.batchesPerEpoch(); i++) {
            SequenceBatch w = windows.next();
            float[] p = m.probabilities(w);
            int[] targets = w.targets();
            if (p.length != targets.length * vocabulary) {
                throw new IllegalStateException("model returned " + p.length + " probabilities, expected "
                        + targets.length + " x " + vocabulary);
            }
            for (int r = 0; r < targets.length; r++) {
                sum -= Math.log(Math.max(FLOOR, p[r * vocabulary + targets[r]]));
                n++;
            }
        }
        return sum / n / Math.log(2);
    }
}
