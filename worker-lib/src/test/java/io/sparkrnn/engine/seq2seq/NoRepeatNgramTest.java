package io.sparkrnn.engine.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The n-gram rule and the length normalisation of decoding, on a hand-made decoder whose next-token logits depend
 * only on the token fed (a bigram table): ids 0 pad, 1 bos, 2 eos, 3 "a", 4 "b", 5 "c".
 */
class NoRepeatNgramTest {
    private static final Seq2SeqSpec SPEC = Seq2SeqSpec.of(6, 6, 2, CellType.RNN_TANH, 2, 1, false,
            Seq2SeqSpec.Attention.NONE, false);

    /** A decoder reading logits {@code table[fed token]}; rows carry no state, so reordering them is a no-op. */
    private record Bigram(double[][] table) implements Seq2SeqDecoding.Steps {
        @Override
        public double[][] next(int[] tokens, int t) {
            double[][] z = new double[tokens.length][];
            for (int r = 0; r < tokens.length; r++) {
                z[r] = table[tokens[r]].clone();
            }
            return z;
        }

        @Override
        public void select(int[] keep) {
        }
    }

    /** After bos "a"; after "a" "b"; after "b" "a" again (the loop); "c" second after "a" and "b", then eos. */
    private static final Bigram LOOP = new Bigram(new double[][] {
        {-9, -9, 0, 0, 0, 0},
        {-9, -9, -1, 3, 0, 0},
        {-9, -9, 0, 0, 0, 0},
        {-9, -9, 0, 0, 3, 1},
        {-9, -9, 0.5, 3, 0, 1},
        {-9, -9, 3, 0, 0, 0}});

    @Test
    void greedyLoopsWithoutTheRuleAndLeavesTheLoopWithIt() {
        Hypothesis loop = Seq2SeqDecoding.greedy(SPEC, LOOP, new int[] {10},
                new Seq2SeqDecoding.Settings(1, 0, 0)).get(0);
        assertArrayEquals(new int[] {3, 4, 3, 4, 3, 4, 3, 4, 3, 4}, loop.tokens());
        assertFalse(loop.finished());
        Hypothesis bigrams = Seq2SeqDecoding.greedy(SPEC, LOOP, new int[] {10},
                new Seq2SeqDecoding.Settings(1, 0, 2)).get(0);
        // a b a, then b would repeat "a b": the next best after a is c, then eos
        assertArrayEquals(new int[] {3, 4, 3, 5}, bigrams.tokens());
        assertTrue(bigrams.finished());
        double[][] lp = Seq2SeqDecoding.logSoftmax(LOOP.table());
        assertEquals(lp[1][3] + lp[3][4] + lp[4][3] + lp[3][5] + lp[5][2], bigrams.logProb(), 1e-12);
        Hypothesis unigrams = Seq2SeqDecoding.greedy(SPEC, LOOP, new int[] {10},
                new Seq2SeqDecoding.Settings(1, 0, 1)).get(0);
        // a b, then neither a nor b again: c, eos
        assertArrayEquals(new int[] {3, 4, 5}, unigrams.tokens());
    }

    @Test
    void beamSearchWithTheRuleFinishesWithoutARepeatedNgram() {
        for (int beam : new int[] {2, 4}) {
            for (int n : new int[] {1, 2, 3}) {
                Hypothesis h = Seq2SeqDecoding.search(SPEC, LOOP, 12, new Seq2SeqDecoding.Settings(beam, 0.6, n));
                assertTrue(h.finished(), "beam " + beam + " n " + n);
                Set<List<Integer>> seen = new HashSet<>();
                for (int i = 0; i + n <= h.tokens().length; i++) {
                    List<Integer> g = java.util.Arrays.stream(h.tokens(), i, i + n).boxed().toList();
                    assertTrue(seen.add(g), "beam " + beam + " n " + n + " repeats " + g);
                }
            }
        }
        // without the rule the beam only holds loops of a and b at the length limit or finished ones with them
        Hypothesis loop = Seq2SeqDecoding.search(SPEC, LOOP, 12, new Seq2SeqDecoding.Settings(2, 0.6, 0));
        assertTrue(loop.tokens().length >= 4 && loop.tokens()[2] == 3 && loop.tokens()[3] == 4,
                java.util.Arrays.toString(loop.tokens()));
    }

    @Test
    void bannedTokensCompleteAnNgramAlreadyGenerated() {
        assertNull(Seq2SeqDecoding.banned(new int[] {3, 4}, 0, 6));
        assertNull(Seq2SeqDecoding.banned(new int[] {3}, 2, 6));
        assertArrayEquals(new boolean[] {false, false, false, false, true, false},
                Seq2SeqDecoding.banned(new int[] {3, 4, 3}, 2, 6));
        assertArrayEquals(new boolean[] {false, false, false, true, true, false},
                Seq2SeqDecoding.banned(new int[] {3, 4, 4}, 1, 6));
        assertArrayEquals(new boolean[] {false, false, false, false, false, true},
                Seq2SeqDecoding.banned(new int[] {3, 4, 5, 3, 4}, 3, 6));
        assertArrayEquals(new boolean[6], Seq2SeqDecoding.banned(new int[] {3, 4, 5, 4, 3}, 3, 6));
    }

    /**
     * GNMT length normalisation on finished hypotheses, n counting eos: eos at once (raw log-probability best) loses
     * to "a eos" when alpha is large enough, and each score is logP / ((5 + n) / 6)^alpha.
     */
    @Test
    void lengthNormalisationOfFinishedHypothesesIsGnmtWithEosCounted() {
        Bigram shortOrLong = new Bigram(new double[][] {
            {-9, -9, 0, 0, 0, 0},
            {-9, -9, 2, 1.9, -5, -5},
            {-9, -9, 0, 0, 0, 0},
            {-9, -9, 10, -5, -5, -5},
            {-9, -9, 0, 0, 0, 0},
            {-9, -9, 0, 0, 0, 0}});
        double[][] lp = Seq2SeqDecoding.logSoftmax(shortOrLong.table());
        Hypothesis raw = Seq2SeqDecoding.search(SPEC, shortOrLong, 5, new Seq2SeqDecoding.Settings(2, 0, 0));
        assertArrayEquals(new int[0], raw.tokens());
        assertEquals(lp[1][2], raw.logProb(), 1e-12);
        assertEquals(raw.logProb(), raw.score(), 0.0);
        Hypothesis normalised = Seq2SeqDecoding.search(SPEC, shortOrLong, 5, new Seq2SeqDecoding.Settings(2, 2.0, 0));
        assertArrayEquals(new int[] {3}, normalised.tokens());
        assertTrue(normalised.finished());
        double logP = lp[1][3] + lp[3][2];
        assertEquals(logP, normalised.logProb(), 1e-12);
        assertEquals(logP / Math.pow(7.0 / 6, 2), normalised.score(), 1e-12);
        assertTrue(normalised.score() > lp[1][2] / Math.pow(6.0 / 6, 2));
        assertTrue(logP < lp[1][2]);
    }
}
