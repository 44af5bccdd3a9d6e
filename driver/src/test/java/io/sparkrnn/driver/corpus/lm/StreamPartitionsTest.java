package io.sparkrnn.driver.corpus.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.round.SequencePartition;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Language-model partitions cut from a token stream held by the driver. */
class StreamPartitionsTest extends SparkCorpusTest {
    static final int LANES = 4;
    static final int STEPS = 6;

    /** {@code n} seeded random token ids below 12. */
    static int[] stream(int n, long seed) {
        return new SplittableRandom(seed).ints(n, 0, 12).toArray();
    }

    /** Partition p holds piece p of the stream, cut where the partition is cached (the stream is broadcast). */
    @Test
    void streamPartitionsAreTheContiguousPiecesOfTheStream() {
        int[] s = stream(3 * (LANES * STEPS * 2 + 1) + 7, 4);
        List<SequencePartition> parts = StreamPartitions.of(sc, s, 3, LANES, STEPS).collect();
        assertEquals(3, parts.size());
        int piece = s.length / 3;
        for (int p = 0; p < 3; p++) {
            TokenStreamPartition expect = new TokenStreamPartition(java.util.Arrays.copyOfRange(s, p * piece,
                    (p + 1) * piece), LANES, STEPS);
            TokenStreamPartition got = (TokenStreamPartition) parts.get(p);
            assertEquals(piece, got.length());
            for (long b = 0; b < expect.batchesPerEpoch(); b++) {
                assertArrayEquals(expect.batch(b).tokens(), got.batch(b).tokens(), "partition " + p + " batch " + b);
                assertArrayEquals(expect.batch(b).targets(), got.batch(b).targets());
            }
        }
    }

    @Test
    void tooShortAStreamFailsBeforeAnySparkJob() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamPartitions.of(sc, stream(100, 1), 8, LANES, STEPS));
        assertTrue(e.getMessage().contains("too few for 8 partitions"), e.getMessage());
    }
}
