package io.sparkrnn.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.param.FlatParams;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model reuses its working buffers between windows; one instance fed batches of changing shapes must
 * compute exactly what a fresh instance computes for each batch.
 */
class BufferReuseTest {

    static SequenceBatch batch(long seed, int rows, int maxLen, int vocab, int tags) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> in = new ArrayList<>();
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            int len = 1 + r.nextInt(maxLen);
            int[] x = new int[len];
            int[] y = new int[len];
            for (int i = 0; i < len; i++) {
                x[i] = 1 + r.nextInt(vocab - 1);
                y[i] = r.nextInt(tags);
            }
            in.add(x);
            out.add(y);
        }
        return SequenceBatch.padAligned(in, out, 0, -100);
    }

    @Test
    void reusedModelMatchesFreshModelsAcrossShapes() {
        for (CellType cell : CellType.values()) {
            SequenceSpec spec = SequenceSpec.tagger(30, 8, 0, cell, 6, 2, true, 0.0, 5);
            SequenceModel reused = new SequenceModel(spec);
            FlatParams p = reused.initParams(3, DataType.FLOAT);
            long[] seeds = {1, 2, 3, 4, 5, 6};
            int[] maxLens = {7, 7, 12, 3, 12, 7};
            for (int i = 0; i < seeds.length; i++) {
                SequenceBatch b = batch(seeds[i], 4, maxLens[i], 30, 5);
                FlatParams g1 = p.zerosLike();
                reused.lossAndGradient(p, g1, b, reused.initialState(4, DataType.FLOAT), 0, 0);
                SequenceModel fresh = new SequenceModel(spec);
                FlatParams g2 = p.zerosLike();
                fresh.lossAndGradient(p, g2, b, fresh.initialState(4, DataType.FLOAT), 0, 0);
                assertArrayEquals(g2.flat().data().asFloat(), g1.flat().data().asFloat(),
                        cell + " batch " + i + " (T = " + b.steps() + ")");
            }
        }
    }

    /** What predict hands out is the caller's: later windows (training or predicting) do not overwrite it. */
    @Test
    void predictedOutputsOutliveLaterWindows() {
        SequenceSpec spec = SequenceSpec.tagger(30, 8, 0, CellType.LSTM, 6, 1, false, 0.0, 5);
        SequenceModel m = new SequenceModel(spec);
        FlatParams p = m.initParams(3, DataType.FLOAT);
        SequenceBatch b1 = batch(1, 4, 7, 30, 5);
        INDArray out = m.predict(p, b1, m.initialState(4, DataType.FLOAT));
        float[] before = out.dup().data().asFloat();
        for (long seed = 2; seed < 5; seed++) {
            SequenceBatch b = batch(seed, 4, 7, 30, 5);
            m.lossAndGradient(p, p.zerosLike(), b, m.initialState(4, DataType.FLOAT), 0, 0);
            m.predict(p, b, m.initialState(4, DataType.FLOAT));
        }
        assertArrayEquals(before, out.data().asFloat());
    }
}
