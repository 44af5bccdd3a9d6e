package io.sparkrnn.driver.corpus.pairs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PER, WER and corpus BLEU-4 against values computed by hand, with one and with several references. */
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

    /**
     * Three outputs, each against the closest of two references (a word's alternate pronunciations):
     * <pre>
     *   out 1 2 3 4   refs 9 9 | 1 2 3 4        distances 4, 0: correct, closest length 4
     *   out 5 6 7     refs 5 6 8 | 5 6 7 7 7    distances 1, 2: 1 edit against length 3
     *   out 1 2       refs 1 3 | 2 2            distances 1, 1: 1 edit against length 2
     * </pre>
     * PER = 2 / 9, WER = 2 / 3. BLEU clips each n-gram to its largest count in one reference: p = 9/9 (the 2 of
     * "1 2" is in "2 2"), 5/6 ("1 2" is in neither), 3/3, 1/1; effective reference lengths 4 + 3 + 2 = 9 = c, so
     * BP = 1 and BLEU = (5/6)^(1/4).
     */
    @Test
    void anOutputCountsAgainstItsClosestReference() {
        int[][] outs = {{1, 2, 3, 4}, {5, 6, 7}, {1, 2}};
        int[][][] refs = {{{9, 9}, {1, 2, 3, 4}}, {{5, 6, 8}, {5, 6, 7, 7, 7}}, {{1, 3}, {2, 2}}};
        Seq2SeqScores s = new Seq2SeqScores();
        Seq2SeqScores reversed = new Seq2SeqScores();
        for (int i = 0; i < outs.length; i++) {
            s.add(outs[i], List.of(refs[i]));
            reversed.add(outs[i], List.of(refs[i][1], refs[i][0]));
        }
        assertEquals(2.0 / 9, s.tokenErrorRate(), 1e-12);
        assertEquals(2.0 / 3, s.sequenceErrorRate(), 1e-12);
        assertEquals(Math.pow(5.0 / 6, 0.25), s.bleu(), 1e-12);
        assertEquals(3, s.sequences());
        assertEquals(s.tokenErrorRate(), reversed.tokenErrorRate(), 0, "independent of the references' order");
        assertEquals(s.bleu(), reversed.bleu(), 0);
        assertEquals(s.sequenceErrorRate(), reversed.sequenceErrorRate(), 0);
    }

    /**
     * Ties: equal distances count against the shorter reference, and BLEU's effective reference length is the
     * reference length closest to the output's, the shorter on a tie.
     */
    @Test
    void tiesTakeTheShorterReference() {
        Seq2SeqScores s = new Seq2SeqScores();
        s.add(new int[] {1, 2, 3}, List.of(new int[] {1, 2, 3, 4}, new int[] {1, 2}));
        assertEquals(1.0 / 2, s.tokenErrorRate(), 1e-12);
        assertEquals(1.0, s.sequenceErrorRate(), 0);
        // effective lengths: out 1 2 3 against 4 and 2 -> 2; out 7 7 7 8 8 against 6 and 4 -> 4; c = 8 > r = 6, BP = 1
        s.add(new int[] {7, 7, 7, 8, 8}, List.of(new int[] {7, 7, 8, 8, 8, 8}, new int[] {7, 8, 7, 8}));
        // unigrams: 1 2 3 -> 3/3 (max over refs); 7 7 7 8 8 -> 7: min(3, 2) + 8: min(2, 4) = 4 of 5
        // bigrams: 1 2 | 2 3 -> 2/2; 7 7 (2 in out, max 1) + 7 8 (1, max 2) + 8 8 (1, max 3) = 3 of 4
        // trigrams: 1 2 3 -> 1/1; 7 7 7 (0), 7 7 8 (1), 7 8 8 (1) = 2 of 3; 4-grams: 0/0 and 7 7 7 8 (0), 7 7 8 8 (1)
        double p1 = 7.0 / 8;
        double p2 = 5.0 / 6;
        double p3 = 3.0 / 4;
        double p4 = 1.0 / 2;
        assertEquals(Math.pow(p1 * p2 * p3 * p4, 0.25), s.bleu(), 1e-12);
    }

    @Test
    void anOutputNeedsAReference() {
        List<int[]> none = new ArrayList<>();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Seq2SeqScores().add(new int[] {1}, none));
    }
}
