package io.sparkrnn.engine.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import io.sparkrnn.engine.model.StepResult;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.GradientClipping;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.StepReport;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** One optimizer step per batch of pairs: the same update as written out by hand, and non-finite steps skipped. */
class Seq2SeqTrainerTest {
    static final Seq2SeqSpec SPEC = Seq2SeqGradientTest.spec(CellType.LSTM, 1, true, 1, Attention.GENERAL, true, 0.0);
    static final double LR = 0.3;
    static final double CLIP = 0.05;

    @Test
    void stepsAreLossGradientClipAndSgdAtTheScheduledRate() {
        Seq2SeqModel model = new Seq2SeqModel(SPEC);
        FlatParams p = model.initParams(3, DataType.FLOAT);
        Seq2SeqTrainer t = new Seq2SeqTrainer(model, p.copy(), OptimizerConfig.sgd().create(p.layout().size(),
                DataType.FLOAT), LrSchedule.constant(LR), ClipConfig.byNorm(CLIP), 9);
        t.setStepCount(4);
        t.setLearningRateScale(0.5);
        FlatParams g = p.zerosLike();
        double maxDiff = 0;
        for (int s = 0; s < 3; s++) {
            Seq2SeqBatch b = Seq2SeqGradientTest.mixedBatch(SPEC.sourceVocab(), SPEC.targetVocab(), s);
            StepReport r = t.step(b);
            g.flat().assign(0);
            StepResult want = model.lossAndGradient(p, g, b, 0);
            double norm = GradientClipping.clipByGlobalNorm(g.flat(), CLIP);
            p.flat().subi(g.flat().mul(LR * 0.5));
            assertEquals(4 + s, r.step());
            assertEquals(want.lossSum(), r.lossSum(), 1e-9);
            assertEquals(10, r.count(), "3 + 5 + 2 target tokens with eos");
            assertEquals(norm, r.gradNormBefore(), 1e-6);
            assertTrue(r.clipped(), "the clip should fire at " + CLIP + " (norm " + norm + ")");
            assertEquals(LR * 0.5, r.lr(), 0.0);
            assertFalse(r.skipped());
            for (int i = 0; i < p.layout().size(); i++) {
                maxDiff = Math.max(maxDiff, Math.abs(p.flat().getDouble(i) - t.params().flat().getDouble(i)));
            }
        }
        System.out.println("Seq2SeqTrainer vs hand-written SGD steps: max |diff| = " + maxDiff);
        assertEquals(7, t.stepCount());
        assertTrue(maxDiff == 0, "max |diff| " + maxDiff);
    }

    @Test
    void nonFiniteStepIsReportedAndSkipped() {
        Seq2SeqModel model = new Seq2SeqModel(SPEC);
        FlatParams p = model.initParams(3, DataType.FLOAT);
        p.flat().putScalar(p.layout().size() - 1, Float.NaN); // an output bias: every logit row gets NaN
        Seq2SeqTrainer t = new Seq2SeqTrainer(model, p, OptimizerConfig.adam().create(p.layout().size(),
                DataType.FLOAT), LrSchedule.constant(LR), ClipConfig.none(), 9);
        float[] before = p.flat().toFloatVector();
        StepReport r = t.step(Seq2SeqGradientTest.mixedBatch(SPEC.sourceVocab(), SPEC.targetVocab(), 1));
        assertTrue(r.skipped(), "a NaN loss must skip the step");
        assertArrayEquals(before, t.params().flat().toFloatVector(), "a skipped step leaves the parameters");
        assertEquals(0, t.optimizer().stepCount(), "the optimizer did not step");
        assertEquals(1, t.stepCount(), "the schedule still advances");
    }

    @Test
    void parametersOfAnotherLayoutAreRefused() {
        Seq2SeqModel model = new Seq2SeqModel(SPEC);
        FlatParams other = new Seq2SeqModel(Seq2SeqGradientTest.spec(CellType.GRU, 1, false, 1, Attention.NONE, false,
                0.0)).initParams(1, DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqTrainer(model,
                other, OptimizerConfig.sgd().create(other.layout().size(), DataType.FLOAT), LrSchedule.constant(LR),
                ClipConfig.none(), 1));
        assertTrue(e.getMessage().contains("layout"), e.getMessage());
    }
}
