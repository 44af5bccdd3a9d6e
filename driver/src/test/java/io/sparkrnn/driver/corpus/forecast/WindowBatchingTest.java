package io.sparkrnn.driver.corpus.forecast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.engine.model.SequenceBatch;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;

class WindowBatchingTest extends SparkCorpusTest {
    @Test
    void birthsWindowsMakeFullTimeMajorBatchesSeenOnceAPass() {
        int w = 7;
        int b = 32;
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("year", "month", "date_of_month"),
                List.of("births", "day_of_week"), List.of("births"), w, 1, 0.2, 0.0);
        JavaRDD<ForecastWindow> windows = ForecastReader.read(sc, ForecastReaderTest.BIRTHS, spec).train();
        List<ForecastWindow> all = windows.collect();
        // window inputs -> (targets, times seen); inputs identify a window (births differ day to day)
        Map<String, float[]> byInputs = new HashMap<>();
        for (ForecastWindow x : all) {
            byInputs.put(Arrays.toString(x.inputs()), x.targets());
        }
        assertEquals(all.size(), byInputs.size());

        List<SequencePartition> parts = WindowBatching.of(windows, w, 2, 1, b, 2, 99).collect();
        long batches = (all.size() + b - 1) / b;
        assertEquals(2, parts.size());
        assertEquals(batches, parts.get(0).batchesPerEpoch() + parts.get(1).batchesPerEpoch());
        Map<String, Integer> seen = new HashMap<>();
        for (SequencePartition p : parts) {
            assertEquals(b, p.batchSize());
            for (long s = 0; s < p.batchesPerEpoch(); s++) {
                SequenceBatch batch = p.batch(s);
                assertEquals(w, batch.steps());
                assertEquals(b, batch.batchSize());
                for (int r = 0; r < b; r++) {
                    float[] in = new float[w * 2];
                    for (int t = 0; t < w; t++) {
                        for (int f = 0; f < 2; f++) {
                            in[t * 2 + f] = batch.features()[(t * b + r) * 2 + f];
                        }
                    }
                    String key = Arrays.toString(in);
                    float[] target = byInputs.get(key);
                    assertNotNull(target, "row " + r + " of batch " + s + " is no window of the series");
                    assertEquals(target[0], batch.values()[r]);
                    seen.merge(key, 1, Integer::sum);
                }
            }
        }
        // one pass: every window once, the last batch completed with b * batches - n windows seen twice
        assertEquals(all.size(), seen.size());
        assertEquals(batches * b - all.size(), seen.values().stream().filter(c -> c == 2).count());

        // deterministic per step; the next epoch reorders the batches
        SequencePartition p = parts.get(0);
        assertArrayEquals(p.batch(3).features(), p.batch(3).features());
        boolean reordered = false;
        for (long s = 0; s < p.batchesPerEpoch(); s++) {
            reordered |= !Arrays.equals(p.batch(s).features(), p.batch(s + p.batchesPerEpoch()).features());
        }
        assertTrue(reordered, "epoch 1 keeps the batch order of epoch 0");
    }

    @Test
    void tooFewWindowsForThePartitionsAreRefused() {
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("year", "month", "date_of_month"),
                List.of("births"), List.of("births"), 28, 1, 0.01, 0.0);
        JavaRDD<ForecastWindow> windows = ForecastReader.read(sc, ForecastReaderTest.BIRTHS, spec).train();
        CorpusException e = assertThrows(CorpusException.class, () -> WindowBatching.of(windows, 28, 1, 1, 64, 4, 1));
        assertTrue(e.getMessage().contains("too few for 4 partitions"), e.getMessage());
    }
}
