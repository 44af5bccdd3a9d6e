package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** PER, WER and corpus BLEU-4 against values computed by hand. */
class Seq2SeqScoresTest {
    /**
     * Three outputs against one reference each:
     * <pre>
     *   out 1 2 3 4 5   ref 1 2 3 4 6       matches (n = 1..4) 4/5 3/4 2/3 1/2, 1 edit
     *   out 7 7 7 8     ref 7 8 9 9 9 9     7 clipped to its 1 reference count: 2/4 1/3 0/2 0/1, 5 edits
     *   out 5 6         ref 5 6             2/2 1/1 0/0 0/0, exact
     * </pre>
     * p = 8/11, 5/8, 2/5, 1/3; c = 11, r = 13: BLEU = exp(1 - 13/11) (8/11 * 5/8 * 2/5 * 1/3)^(1/4) = 0.413682;
     * PER = 6 / 13, WER = 2 / 3.
     */
    @Test
    void matchesHandComputedFigures() {
        Seq2SeqScores a = new Seq2SeqScores();
        a.add(new int[] {1, 2, 3, 4, 5}, new int[] {1, 2, 3, 4, 6});
        a.add(new int[] {7, 7, 7, 8}, new int[] {7, 8, 9, 9, 9, 9});
        Seq2SeqScores b = new Seq2SeqScores();
        b.add(new int[] {5, 6}, new int[] {5, 6});
        Seq2SeqScores s = a.merge(b);
        assertEquals(Math.exp(1 - 13.0 / 11) * Math.pow(8.0 / 11 * 5.0 / 8 * 2.0 / 5 * 1.0 / 3, 0.25), s.bleu(), 1e-12);
        assertEquals(0.413682, s.bleu(), 1e-6);
        assertEquals(6.0 / 13, s.tokenErrorRate(), 1e-12);
        assertEquals(2.0 / 3, s.sequenceErrorRate(), 1e-12);
        assertEquals(3, s.sequences());
    }

    @Test
    void perfectOutputsScoreOneAndMissingFourGramsZero() {
        Seq2SeqScores s = new Seq2SeqScores();
        s.add(new int[] {1, 2, 3, 4, 5}, new int[] {1, 2, 3, 4, 5});
        assertEquals(1.0, s.bleu(), 1e-12);
        assertEquals(0.0, s.tokenErrorRate());
        Seq2SeqScores shortOnes = new Seq2SeqScores();
        shortOnes.add(new int[] {1, 2, 3}, new int[] {1, 2, 3});
        assertEquals(0.0, shortOnes.bleu(), "no 4-gram in the output: p_4 = 0/0, BLEU 0 without smoothing");
    }

    /** An output longer than its reference has no brevity penalty: BLEU = (p1 p2 p3 p4)^(1/4). */
    @Test
    void longerOutputsAreNotPenalisedForBrevity() {
        Seq2SeqScores s = new Seq2SeqScores();
        s.add(new int[] {1, 2, 3, 4, 9}, new int[] {1, 2, 3, 4});
        // p = 4/5, 3/4, 2/3, 1/2
        assertEquals(Math.pow(4.0 / 5 * 3.0 / 4 * 2.0 / 3 * 1.0 / 2, 0.25), s.bleu(), 1e-12);
        assertEquals(1.0 / 4, s.tokenErrorRate(), 1e-12);
    }
}
