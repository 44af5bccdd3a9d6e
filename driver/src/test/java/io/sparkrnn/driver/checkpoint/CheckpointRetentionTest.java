package io.sparkrnn.driver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** When checkpoints are saved and which ones retention keeps. */
class CheckpointRetentionTest extends CheckpointTesting {
    @Test
    void retentionKeepsTheLastTheMultiplesAndTheBest() throws IOException {
        Path dir = freshDir("file");
        CheckpointStore store = CheckpointStore.open(fsOf(dir), dir);
        CheckpointPolicy policy = new CheckpointPolicy(1, 0, 2, 5);
        for (long r = 1; r <= 12; r++) {
            assertTrue(policy.shouldSave(r, java.time.Instant.EPOCH));
            double validation = r == 3 ? 0.5 : 2.0 + r; // round 3 is the best
            store.save(SPEC, synthetic(r), info(r, validation), Map.of());
            store.prune(policy);
        }
        assertEquals(List.of(3L, 5L, 10L, 11L, 12L), store.rounds());
        assertEquals(3L, store.bestRound().orElseThrow());
        assertEquals(Set.of(5L, 10L, 11L, 12L), policy.keep(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L,
                12L), null));
        assertEquals("ckpt-000012", store.latestPointer());
    }

    /**
     * The best round as the newest checkpoint records it is kept, whatever the scores (a figure better higher, as an
     * accuracy, is kept although its score is not the lowest), and round-trips through state.json.
     */
    @Test
    void theRecordedBestRoundIsKeptAndReadBack() throws IOException {
        Path dir = freshDir("file");
        CheckpointStore store = CheckpointStore.open(fsOf(dir), dir);
        CheckpointPolicy policy = new CheckpointPolicy(1, 0, 1, 0);
        RunInfo.Best best = null;
        for (long r = 1; r <= 6; r++) {
            double accuracy = r == 2 ? 0.9 : 0.5 + r * 0.01;
            if (best == null || accuracy > best.value()) {
                best = new RunInfo.Best("accuracy", r, accuracy, 0);
            } else {
                best = new RunInfo.Best("accuracy", best.round(), best.value(), best.sinceBest() + 1);
            }
            // scores rising with the round: the lowest, which checkpoints without a recorded best go by, is round 1's
            RunInfo i = info(r, (double) r);
            store.save(SPEC, synthetic(r), new RunInfo(i.seeds(), i.counters(), i.config(), i.metrics(),
                    i.validation(), best), Map.of());
            store.prune(policy);
        }
        assertEquals(List.of(2L, 6L), store.rounds());
        assertEquals(2L, store.bestRound().orElseThrow());
        assertEquals(new RunInfo.Best("accuracy", 2, 0.9, 4), store.latest().info().best());
        assertEquals(new RunInfo.Best("accuracy", 2, 0.9, 0), store.load("ckpt-000002").info().best());
    }

    @Test
    void policySavesEveryKRoundsOrEveryMMinutes() {
        CheckpointPolicy p = new CheckpointPolicy(3, 10, 1, 0);
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        assertFalse(p.shouldSave(1, t0));
        assertFalse(p.shouldSave(2, t0.plusSeconds(60)));
        assertTrue(p.shouldSave(3, t0.plusSeconds(120)));
        assertFalse(p.shouldSave(4, t0.plusSeconds(600)));
        assertTrue(p.shouldSave(5, t0.plusSeconds(720)), "10 minutes after the last save");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CheckpointPolicy(1, 0, 0, 0));
        assertTrue(e.getMessage().contains("keepLast must be >= 1, found 0"), e.getMessage());
    }
}
