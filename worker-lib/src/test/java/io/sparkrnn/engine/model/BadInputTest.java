package io.sparkrnn.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.TbpttConfig;
import io.sparkrnn.engine.train.TbpttTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;

/** Bad input at the engine's boundaries: every message says what was expected and what was found. */
class BadInputTest {
    static final int[] IGNORED_6 = {-100, -100, -100, -100, -100, -100};

    private static void fails(String expectedMessage, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expectedMessage, e.getMessage());
    }

    @Test
    void wrongShapes() {
        fails("expected 24 feature values (T x B x F), found 23",
                () -> SequenceBatch.pooledFeatures(3, 2, 4, new float[23], new int[] {3, 3}, new float[2], 1));
        fails("featureSize must be positive, found 0",
                () -> SequenceBatch.pooledFeatures(3, 2, 0, new float[0], new int[] {3, 3}, new float[2], 1));
        fails("expected 2 lengths, found 3",
                () -> SequenceBatch.alignedTokens(3, 2, new int[6], new int[] {3, 3, 3}, new int[6]));
        fails("expected 2 lengths, found none",
                () -> SequenceBatch.alignedTokens(3, 2, new int[6], null, new int[6]));
        fails("length of row 1 must be in [0, 3], found 4",
                () -> SequenceBatch.alignedTokens(3, 2, new int[6], new int[] {3, 4}, new int[6]));
        fails("expected 6 token ids (T=3 x B=2), found 5",
                () -> SequenceBatch.alignedTokens(3, 2, new int[5], new int[] {3, 3}, new int[6]));
        fails("expected 6 per-step targets, found 5",
                () -> SequenceBatch.alignedTokens(3, 2, new int[6], new int[] {3, 3}, new int[5]));
        fails("expected 2 sequence labels, found 6",
                () -> SequenceBatch.pooledTokens(3, 2, new int[6], new int[] {3, 3}, new int[6]));
        fails("expected 4 target values (B x outputs), found 3",
                () -> SequenceBatch.pooledFeatures(3, 2, 1, new float[6], new int[] {3, 3}, new float[3], 2));
    }

    @Test
    void batchesThatDoNotFitTheModel() {
        SequenceModel regressor = new SequenceModel(SequenceSpec.regressor(2, CellType.GRU, 3, 1, false, 0,
                SequenceSpec.Pooling.LAST, 1));
        FlatParams p = regressor.initParams(1, DataType.FLOAT);
        SequenceBatch threeFeatures = SequenceBatch.pooledFeatures(2, 1, 3, new float[6], new int[] {2},
                new float[1], 1);
        fails("expected 2 features per step, found 3",
                () -> regressor.loss(p, threeFeatures, regressor.initialState(1, DataType.FLOAT)));
        fails("expected 2 features per step, found 3",
                () -> regressor.predict(p, threeFeatures, regressor.initialState(1, DataType.FLOAT)));
        SequenceBatch twoOutputs = SequenceBatch.pooledFeatures(2, 1, 2, new float[4], new int[] {2},
                new float[2], 2);
        fails("expected 1 regression targets per sequence, found 2",
                () -> regressor.loss(p, twoOutputs, regressor.initialState(1, DataType.FLOAT)));
        SequenceBatch ok = SequenceBatch.pooledFeatures(2, 1, 2, new float[4], new int[] {2}, new float[1], 1);
        fails("state has 3 rows, batch has 1",
                () -> regressor.predict(p, ok, regressor.initialState(3, DataType.FLOAT)));
    }

    @Test
    void tokenIdOutOfRangeNamesStepAndRow() {
        SequenceModel lm = new SequenceModel(SequenceSpec.languageModel(10, 3, CellType.LSTM, 4, 1, 0));
        FlatParams p = lm.initParams(1, DataType.FLOAT);
        int[] tokens = {1, 2, 3, 4, 99, 5}; // time-major, B = 2: index 4 is step 2, row 0
        SequenceBatch b = SequenceBatch.alignedTokens(3, 2, tokens, new int[] {3, 3}, new int[6]);
        fails("token id at step 2, row 0 must be in [0, 10), found 99",
                () -> lm.loss(p, b, lm.initialState(2, DataType.FLOAT)));
        fails("token id at step 2, row 0 must be in [0, 10), found 99",
                () -> lm.predict(p, b, lm.initialState(2, DataType.FLOAT)));
        SequenceBatch negative = SequenceBatch.alignedTokens(3, 2, new int[] {0, 0, 0, -1, 0, 0}, new int[] {3, 3},
                IGNORED_6);
        fails("token id at step 1, row 1 must be in [0, 10), found -1",
                () -> lm.loss(p, negative, lm.initialState(2, DataType.FLOAT)));
        SequenceBatch badTarget = SequenceBatch.alignedTokens(3, 2, new int[6], new int[] {3, 3},
                new int[] {0, 0, 0, 10, 0, 0});
        fails("target at row 3 must be in [0, 10) or -100 (ignored), found 10",
                () -> lm.loss(p, badTarget, lm.initialState(2, DataType.FLOAT)));
    }

    @Test
    void truncationLengths() {
        fails("k2 must be in [1, k1 = 4], found 5", () -> new TbpttConfig(4, 5, ClipConfig.none(), 0));
        fails("k1 must be positive, found 0", () -> new TbpttConfig(0, 0, ClipConfig.none(), 0));
        fails("k1 must be positive, found -3", () -> new TbpttConfig(-3, 1, ClipConfig.none(), 0));
        fails("k2 must be in [1, k1 = 4], found 0", () -> new TbpttConfig(4, 0, ClipConfig.none(), 0));
    }

    @Test
    void nonPositiveSizesInTheSpec() {
        fails("hiddenSize must be positive, found 0",
                () -> SequenceSpec.languageModel(10, 3, CellType.LSTM, 0, 1, 0));
        fails("numLayers must be positive, found -1",
                () -> SequenceSpec.languageModel(10, 3, CellType.LSTM, 4, -1, 0));
        fails("exactly one of vocabSize (token input) and featureSize (float input) must be positive, "
                + "found vocabSize=0, featureSize=0", () -> SequenceSpec.languageModel(0, 3, CellType.LSTM, 4, 1, 0));
        fails("exactly one of vocabSize (token input) and featureSize (float input) must be positive, "
                + "found vocabSize=-5, featureSize=0", () -> SequenceSpec.languageModel(-5, 3, CellType.LSTM, 4, 1, 0));
        fails("embeddingDim must be positive, found 0", () -> SequenceSpec.languageModel(10, 0, CellType.LSTM, 4, 1, 0));
        fails("outputSize must be positive, found 0", () -> SequenceSpec.tagger(10, 3, 0, CellType.GRU, 4, 1, true,
                0, 0));
        fails("exactly one of vocabSize (token input) and featureSize (float input) must be positive, "
                + "found vocabSize=0, featureSize=-2", () -> SequenceSpec.regressor(-2, CellType.GRU, 4, 1, false, 0,
                        SequenceSpec.Pooling.LAST, 1));
    }

    @Test
    void dropoutOfOneOrNaN() {
        fails("dropout must be in [0, 1), found 1.0", () -> SequenceSpec.languageModel(10, 3, CellType.LSTM, 4, 2, 1.0));
        fails("dropout must be in [0, 1), found NaN",
                () -> SequenceSpec.languageModel(10, 3, CellType.LSTM, 4, 2, Double.NaN));
    }

    @Test
    void nonFiniteFloatInputsAndTargets() {
        float[] x = new float[12]; // T = 3, B = 2, F = 2
        x[7] = Float.NaN; // step 1, row 1, feature 1
        fails("input feature 7 (step 1, row 1) must be finite, found NaN",
                () -> SequenceBatch.pooledFeatures(3, 2, 2, x, new int[] {3, 3}, new float[2], 1));
        float[] y = {0f, 1f, 2f, Float.POSITIVE_INFINITY};
        fails("target value 3 (row 1, output 1) must be finite, found Infinity",
                () -> SequenceBatch.pooledFeatures(3, 2, 2, new float[12], new int[] {3, 3}, y, 2));
        float[] nan = {Float.NaN, 0f};
        fails("target value 0 (row 0, output 0) must be finite, found NaN",
                () -> SequenceBatch.pooledFeatures(3, 2, 2, new float[12], new int[] {3, 3}, nan, 1));
    }

    @Test
    void bidirectionalBatchLongerThanK1() {
        SequenceModel tagger = new SequenceModel(SequenceSpec.tagger(10, 3, 0, CellType.GRU, 4, 1, true, 0, 3));
        FlatParams p = tagger.initParams(1, DataType.FLOAT);
        TbpttTrainer t = new TbpttTrainer(tagger, p, OptimizerConfig.sgd().create(p.layout().size(), DataType.FLOAT),
                LrSchedule.constant(0.1), TbpttConfig.of(4, 0, 1));
        SequenceBatch b = SequenceBatch.alignedTokens(6, 1, new int[6], new int[] {6}, new int[6]);
        fails("bidirectional layers see the whole sequence: batch length 6 exceeds k1 = 4; raise k1 or cut the "
                + "sequences", () -> t.fit(b, tagger.initialState(1, DataType.FLOAT)));
        fails("bidirectional layers back-propagate whole windows: expected k2 = k1 = 4, found k2 = 2",
                () -> new TbpttTrainer(tagger, p, OptimizerConfig.sgd().create(p.layout().size(), DataType.FLOAT),
                        LrSchedule.constant(0.1), new TbpttConfig(4, 2, ClipConfig.none(), 1)));
    }
}
