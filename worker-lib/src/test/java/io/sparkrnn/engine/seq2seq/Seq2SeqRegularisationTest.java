package io.sparkrnn.engine.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import io.sparkrnn.engine.model.StepResult;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.testutil.GradCheck;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The training regularisation of the encoder-decoder: label smoothing (its loss against a hand computation from the
 * model's own logits, its gradient against central differences), io dropout (gradient with a fixed seed; off at
 * evaluation) and the output layer tied to the target embedding (one tensor whose gradient sums both uses).
 */
class Seq2SeqRegularisationTest {
    /**
     * Source vocabulary 6, target 7, embeddings 3 and E_t, encoder 3, decoder H_d; one layer each, two with dropout
     * between layers.
     */
    private static Seq2SeqSpec spec(CellType cell, boolean bi, int tgtEmbedding, int decHidden, Attention att,
            boolean feed, double dropout, double ioDropout, double smoothing, boolean tie) {
        int layers = dropout > 0 ? 2 : 1;
        return new Seq2SeqSpec(6, 7, 3, tgtEmbedding, cell, 3, layers, bi, decHidden, layers, dropout, att, feed, 0,
                1, 2, 10, 2.0, ioDropout, smoothing, tie);
    }

    private static double check(Seq2SeqSpec spec, long seed) {
        Seq2SeqModel model = new Seq2SeqModel(spec);
        Seq2SeqBatch batch = Seq2SeqGradientTest.mixedBatch(spec.sourceVocab(), spec.targetVocab(), seed);
        FlatParams p = model.initParams(seed, DataType.DOUBLE);
        p.flat().muli(1.5);
        FlatParams g = p.zerosLike();
        double loss = model.lossAndGradient(p, g, batch, 5).meanLoss();
        assertEquals(loss, model.trainingLoss(p, batch, 5).meanLoss(), 0.0);
        double worst = 0;
        for (ParamLayout.Entry e : model.layout().entries()) {
            GradCheck.Result r = GradCheck.check(p.view(e), g.view(e),
                    () -> model.trainingLoss(p, batch, 5).meanLoss());
            assertTrue(r.maxRelError() <= Seq2SeqGradientTest.TOL, spec + " " + e.name() + ": " + r);
            worst = Math.max(worst, r.maxRelError());
        }
        return worst;
    }

    @Test
    void labelSmoothedGradient() {
        check(spec(CellType.GRU, true, 2, 4, Attention.GENERAL, true, 0, 0, 0.3, false), 21);
    }

    @Test
    void labelSmoothedLossIsTheHandComputationOnTheModelsLogits() {
        Seq2SeqSpec smoothed = spec(CellType.LSTM, true, 2, 4, Attention.GENERAL, true, 0, 0, 0.2, false);
        Seq2SeqModel model = new Seq2SeqModel(smoothed);
        Seq2SeqBatch batch = Seq2SeqGradientTest.mixedBatch(6, 7, 23);
        FlatParams p = model.initParams(23, DataType.DOUBLE);
        double[][][] z = Seq2SeqDecoding.teacherForcedLogits(model, p, batch.sources(), batch.targets());
        double nll = 0;
        double uniform = 0;
        int n = 0;
        for (int r = 0; r < z.length; r++) {
            int[] y = batch.targets().get(r);
            double[][] lp = Seq2SeqDecoding.logSoftmax(z[r]);
            for (int t = 0; t < lp.length; t++) {
                int target = t == y.length ? smoothed.endId() : y[t];
                nll -= lp[t][target];
                for (double v : lp[t]) {
                    uniform -= v / lp[t].length;
                }
                n++;
            }
        }
        StepResult train = model.lossAndGradient(p, p.zerosLike(), batch, 5);
        assertEquals(n, train.count());
        assertEquals((0.8 * nll + 0.2 * uniform) / n, train.meanLoss(), 1e-12);
        // evaluation reports the plain negative log-likelihood
        assertEquals(nll / n, model.loss(p, batch).meanLoss(), 1e-12);
    }

    @Test
    void ioDropoutGradientWithAFixedSeed() {
        // one layer: dropout between stacked layers has its own check (Seq2SeqGradientTest), and two bidirectional
        // LSTM layers made this check alone take two minutes
        check(spec(CellType.LSTM, true, 2, 4, Attention.GENERAL, true, 0, 0.3, 0, false), 24);
        check(spec(CellType.RNN_TANH, false, 2, 4, Attention.NONE, false, 0, 0.4, 0.1, false), 25);
    }

    @Test
    void ioDropoutActsWhileTrainingAndIsOffAtEvaluation() {
        Seq2SeqSpec plain = spec(CellType.GRU, true, 2, 4, Attention.GENERAL, true, 0, 0, 0, false);
        Seq2SeqSpec dropped = plain.withRegularisation(0.5, 0);
        Seq2SeqModel a = new Seq2SeqModel(plain);
        Seq2SeqModel b = new Seq2SeqModel(dropped);
        assertEquals(a.layout(), b.layout());
        Seq2SeqBatch batch = Seq2SeqGradientTest.mixedBatch(6, 7, 26);
        FlatParams p = a.initParams(26, DataType.DOUBLE);
        double clean = a.loss(p, batch).meanLoss();
        assertEquals(clean, b.loss(p, batch).meanLoss(), 0.0);
        assertEquals(clean, b.loss(p, batch).meanLoss(), 0.0);
        List<int[]> sources = batch.sources();
        List<Hypothesis> ha = Seq2SeqDecoding.beam(a, p, sources, 3, 0.6);
        List<Hypothesis> hb = Seq2SeqDecoding.beam(b, p, sources, 3, 0.6);
        for (int r = 0; r < sources.size(); r++) {
            assertArrayEquals(ha.get(r).tokens(), hb.get(r).tokens());
            assertEquals(ha.get(r).logProb(), hb.get(r).logProb(), 0.0);
        }
        // while training the masks change the loss, the same seed draws the same masks
        double s5 = b.lossAndGradient(p, p.zerosLike(), batch, 5).meanLoss();
        assertNotEquals(clean, s5);
        assertEquals(s5, b.lossAndGradient(p, p.zerosLike(), batch, 5).meanLoss(), 0.0);
        assertNotEquals(s5, b.lossAndGradient(p, p.zerosLike(), batch, 6).meanLoss());
        assertEquals(clean, a.lossAndGradient(p, p.zerosLike(), batch, 5).meanLoss(), 0.0);
    }

    @Test
    void tiedEmbeddingsShareOneTensorAndSumTheGradientsOfBothUses() {
        Seq2SeqSpec tied = spec(CellType.LSTM, true, 4, 4, Attention.GENERAL, true, 0, 0, 0, true);
        Seq2SeqModel model = new Seq2SeqModel(tied);
        Seq2SeqModel untied = new Seq2SeqModel(tied.withTiedEmbeddings(false));
        assertFalse(model.layout().contains("out.weight"));
        assertEquals(untied.layout().size() - 7 * 4, model.layout().size());
        check(spec(CellType.GRU, false, 3, 3, Attention.DOT, false, 0, 0.3, 0.1, true), 28);
        // the tied model computes what the untied one does with out.weight = tgt_embedding.weight
        FlatParams p = model.initParams(29, DataType.DOUBLE);
        FlatParams q = untied.initParams(29, DataType.DOUBLE);
        for (ParamLayout.Entry e : model.layout().entries()) {
            q.view(e.name()).assign(p.view(e.name()));
        }
        q.view("out.weight").assign(p.view("tgt_embedding.weight"));
        Seq2SeqBatch batch = Seq2SeqGradientTest.mixedBatch(6, 7, 29);
        assertEquals(untied.loss(q, batch).meanLoss(), model.loss(p, batch).meanLoss(), 1e-12);
        FlatParams gp = p.zerosLike();
        FlatParams gq = q.zerosLike();
        model.lossAndGradient(p, gp, batch, 5);
        untied.lossAndGradient(q, gq, batch, 5);
        assertEquals(gq.view("tgt_embedding.weight").add(gq.view("out.weight")), gp.view("tgt_embedding.weight"));
    }

    @Test
    void tyingNeedsTheOutputWidthToEqualTheTargetEmbedding() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> spec(CellType.LSTM, true, 2, 4, Attention.GENERAL, true, 0, 0, 0, true));
        assertEquals("tieEmbeddings needs the output layer's input width decoderHidden (4) equal to "
                + "targetEmbedding (2)", e.getMessage());
    }
}
