package io.sparkrnn.bench;

import java.util.SplittableRandom;

/** Uniform random token ids from the run's seed: speed does not depend on the text, so no corpus is needed. */
final class RandomTokens {
    private RandomTokens() {
    }

    /** A stream long enough for {@code batches} batches of B lanes x T steps (plus the last target). */
    static int[] stream(BenchSettings s, int batches) {
        SplittableRandom rnd = new SplittableRandom(s.seed());
        int[] t = new int[s.batch() * s.seq() * batches + 1];
        for (int i = 0; i < t.length; i++) {
            t[i] = rnd.nextInt(s.vocab());
        }
        return t;
    }
}
