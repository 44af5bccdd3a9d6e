package io.sparkrnn.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.param.FlatParams;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Sampling checked against logits recomputed from scratch for every prefix (fresh state, whole prefix as one
 * window), which also checks that the sampler carries the state correctly.
 */
class SamplerTest {
    static final int VOCAB = 12;
    static final SequenceModel MODEL = new SequenceModel(SequenceSpec.languageModel(VOCAB, 5, CellType.GRU, 8, 2, 0.1));
    static final FlatParams PARAMS = scaled(MODEL.initParams(17, DataType.DOUBLE));
    static final int[] PROMPT = {3, 1, 4, 1, 5};

    /** Larger weights spread the next-token distribution away from uniform. */
    private static FlatParams scaled(FlatParams p) {
        p.flat().muli(3);
        return p;
    }

    /** Logits of the last step after feeding {@code prefix} from the zero state. */
    static double[] logitsAfter(int[] prefix) {
        int t = prefix.length;
        int[] ignored = new int[t];
        Arrays.fill(ignored, -100);
        SequenceBatch b = SequenceBatch.alignedTokens(t, 1, prefix, new int[] {t}, ignored);
        return MODEL.predict(PARAMS, b, MODEL.initialState(1, DataType.DOUBLE)).getRow(t - 1).toDoubleVector();
    }

    static int argmax(double[] z) {
        int best = 0;
        for (int i = 1; i < z.length; i++) {
            if (z[i] > z[best]) {
                best = i;
            }
        }
        return best;
    }

    static int[] concat(int[] a, int[] b, int bLength) {
        int[] c = Arrays.copyOf(a, a.length + bLength);
        System.arraycopy(b, 0, c, a.length, bLength);
        return c;
    }

    static int[] greedy(int length) {
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            out[i] = argmax(logitsAfter(concat(PROMPT, out, i)));
        }
        return out;
    }

    @Test
    void topKOneIsGreedyDecoding() {
        int[] expected = greedy(15);
        assertArrayEquals(expected, Sampler.sample(MODEL, PARAMS, PROMPT, 15, 1.0, 1, 1));
        assertArrayEquals(expected, Sampler.sample(MODEL, PARAMS, PROMPT, 15, 5.0, 1, 2));
    }

    @Test
    void veryLowTemperatureIsGreedyDecoding() {
        assertArrayEquals(greedy(15), Sampler.sample(MODEL, PARAMS, PROMPT, 15, 1e-6, 0, 99));
    }

    @Test
    void sameSeedSameSampleOtherSeedOtherSample() {
        int[] a = Sampler.sample(MODEL, PARAMS, PROMPT, 40, 1.0, 0, 7);
        int[] b = Sampler.sample(MODEL, PARAMS, PROMPT, 40, 1.0, 0, 7);
        int[] c = Sampler.sample(MODEL, PARAMS, PROMPT, 40, 1.0, 0, 8);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), Arrays.toString(a));
        assertEquals(40, a.length);
        assertTrue(Arrays.stream(a).distinct().count() > 2, "a degenerate sample: " + Arrays.toString(a));
    }

    @Test
    void topThreeSamplesStayWithinTheThreeLargestLogits() {
        for (long seed = 0; seed < 4; seed++) {
            int[] s = Sampler.sample(MODEL, PARAMS, PROMPT, 20, 2.0, 3, seed);
            for (int i = 0; i < s.length; i++) {
                double[] z = logitsAfter(concat(PROMPT, s, i));
                double[] sorted = z.clone();
                Arrays.sort(sorted);
                double third = sorted[sorted.length - 3];
                assertTrue(z[s[i]] >= third, "step " + i + ": id " + s[i] + " with logit " + z[s[i]]
                        + " is not among the top 3 (third largest " + third + ")");
            }
        }
    }

    @Test
    void badArgumentsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sampler.sample(MODEL, PARAMS, PROMPT, 5, 0.0, 0, 1));
        assertEquals("temperature must be positive and finite, found 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sampler.sample(MODEL, PARAMS, PROMPT, 5, 1, -1, 1));
        assertEquals("topK must be >= 0 (0 = all), found -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sampler.sample(MODEL, PARAMS, new int[0], 5, 1, 0, 1));
        assertEquals("prompt must hold at least one token, found none", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Sampler.sample(MODEL, PARAMS, new int[] {1, 12}, 5, 1, 0, 1));
        assertEquals("prompt token at step 1 must be in [0, 12), found 12", e.getMessage());
        SequenceModel tagger = new SequenceModel(SequenceSpec.tagger(VOCAB, 5, 0, CellType.GRU, 8, 1, false, 0, 4));
        FlatParams tp = tagger.initParams(1, DataType.DOUBLE);
        e = assertThrows(IllegalArgumentException.class, () -> Sampler.sample(tagger, tp, PROMPT, 5, 1, 0, 1));
        assertTrue(e.getMessage().startsWith("sampling needs a language model"), e.getMessage());
        assertTrue(e.getMessage().contains("outputSize 4"), e.getMessage());
    }
}
