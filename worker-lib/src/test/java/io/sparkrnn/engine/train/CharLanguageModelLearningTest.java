package io.sparkrnn.engine.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.testutil.Samples;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Learning on real data with a fixed step count (not timed): a character LSTM language model on the Moby
 * Dick sample. Settings as the PyTorch 1.13 reference (1-layer LSTM, hidden 256, embedding 32, batch 32,
 * k1 = k2 = 64, Adam 3e-3, clip 1.0, 90/10 split by position), which reaches 2.96 bits per char after 200
 * steps and 2.60 after 500; the unigram entropy is 4.47.
 */
class CharLanguageModelLearningTest {

    @Test
    void lstmReachesUnderTwoPointEightBitsPerCharAfter500Steps() {
        String text = Samples.text("moby-dick/moby-dick.txt");
        int[] cps = text.codePoints().toArray();
        TreeSet<Integer> chars = new TreeSet<>();
        for (int c : cps) {
            chars.add(c);
        }
        java.util.Map<Integer, Integer> id = new java.util.HashMap<>();
        for (int c : chars) {
            id.put(c, id.size());
        }
        int[] stream = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            stream[i] = id.get(cps[i]);
        }
        int split = stream.length * 9 / 10;
        int[] train = java.util.Arrays.copyOfRange(stream, 0, split);
        int[] valid = java.util.Arrays.copyOfRange(stream, split, stream.length);

        SequenceModel model = new SequenceModel(SequenceSpec.languageModel(chars.size(), 32, CellType.LSTM, 256, 1, 0.0));
        FlatParams params = model.initParams(1234, DataType.FLOAT);
        TbpttTrainer trainer = new TbpttTrainer(model, params,
                OptimizerConfig.adam().create(params.layout().size(), DataType.FLOAT),
                LrSchedule.constant(3e-3), TbpttConfig.of(64, 1.0, 1));
        TokenStreamBatcher batches = new TokenStreamBatcher(train, 32, 64);
        ModelState state = model.initialState(32, DataType.FLOAT);
        long t0 = System.nanoTime();
        double bpc200 = Double.NaN;
        for (int s = 0; s < 500; s++) {
            if (batches.startsEpoch()) {
                state = model.initialState(32, DataType.FLOAT);
            }
            StepReport r = trainer.step(batches.next(), state);
            assertTrue(!r.skipped(), "step " + s + " skipped: " + r);
            if (s == 199) {
                bpc200 = bitsPerChar(model, params, valid);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double bpc = bitsPerChar(model, params, valid);
        System.out.printf("char LM: validation %.3f bits/char after 200 steps, %.3f after 500 (%.0f s, %.0f tokens/s)%n",
                bpc200, bpc, seconds, 500 * 32 * 64 / seconds);
        assertTrue(bpc <= 2.8, "validation bits per char after 500 steps: " + bpc);
    }

    static double bitsPerChar(SequenceModel model, FlatParams params, int[] valid) {
        return StreamLoss.bitsPerToken(model, params, valid, 16, 128);
    }
}
