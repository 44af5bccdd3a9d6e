package io.sparkrnn.driver.corpus.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The add-one unigram baseline of a language model on a 10-character training text. */
class UnigramTest extends SparkCorpusTest {
    private static final Vocabulary ABCDE = Vocabulary.of(List.of("a", "b", "c", "d", "e"));

    private static int[] ids(String text) {
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ABCDE.id(String.valueOf(text.charAt(i)));
        }
        return ids;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    @Test
    void addOneBitsOnTheTokensTheModelPredicts() {
        // "aaaaabbbcd" in two training streams, counted with Spark: a 5, b 3, c 1, d 1, e 0
        int[] train = ids("aaaaabbbcd");
        LmCorpus corpus = new LmCorpus(StreamPartitions.of(sc, train, 2, 1, 2), null, ABCDE, TokenUnit.CHARS, 15, 10,
                0, 1, new long[] {5, 5}, 1, null);
        long[] counts = corpus.trainCounts();
        assertArrayEquals(new long[] {5, 3, 1, 1, 0}, counts);
        Unigram u = new Unigram(counts);
        // T + V = 10 + 5: p(a) = 6/15, p(b) = 4/15, p(c) = p(d) = 2/15, p(e) = 1/15
        assertEquals(-log2(1 / 15.0), u.bits(4), 1e-12);
        // "abcae" in one lane of 3 steps: the model predicts b, c, a (the first token is only read, the tail e
        // fills no batch)
        double expected = -(log2(4 / 15.0) + log2(2 / 15.0) + log2(6 / 15.0)) / 3;
        assertEquals(expected, u.bitsPerToken(ids("abcae"), 1, 3), 1e-12);
        assertEquals(2.0452, expected, 1e-4);
    }
}
