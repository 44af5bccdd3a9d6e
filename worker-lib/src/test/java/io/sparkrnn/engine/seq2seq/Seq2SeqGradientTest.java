package io.sparkrnn.engine.seq2seq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import io.sparkrnn.engine.model.StepResult;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.testutil.GradCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Whole-model gradient checks of the encoder-decoder in float64 against five-point central differences
 * ({@link GradCheck}); every batch mixes source lengths (4, 2, 3) and target lengths (2, 4, 1), so both
 * padding masks are exercised.
 */
class Seq2SeqGradientTest {
    static final double TOL = 1e-6;

    static Seq2SeqBatch mixedBatch(int srcVocab, int tgtVocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] srcLens = {4, 2, 3};
        int[] tgtLens = {2, 4, 1};
        List<int[]> src = new ArrayList<>();
        List<int[]> tgt = new ArrayList<>();
        for (int i = 0; i < srcLens.length; i++) {
            src.add(r.ints(srcLens[i], 1, srcVocab).toArray());
            tgt.add(r.ints(tgtLens[i], 3, tgtVocab).toArray());
        }
        return new Seq2SeqBatch(src, tgt);
    }

    static Seq2SeqSpec spec(CellType cell, int encLayers, boolean bi, int decLayers, Attention att, boolean feed,
            double dropout) {
        int eh = 3;
        int dh = att == Attention.DOT ? (bi ? 2 : 1) * eh : 4;
        return new Seq2SeqSpec(6, 7, 3, 2, cell, eh, encLayers, bi, dh, decLayers, dropout, att, feed, 0, 1, 2, 10, 2.0);
    }

    private static double check(Seq2SeqSpec spec, long seed) {
        Seq2SeqModel model = new Seq2SeqModel(spec);
        Seq2SeqBatch batch = mixedBatch(spec.sourceVocab(), spec.targetVocab(), seed);
        FlatParams p = model.initParams(seed, DataType.DOUBLE);
        p.flat().muli(1.5); // larger weights exercise the non-linearities
        FlatParams g = p.zerosLike();
        StepResult res = model.lossAndGradient(p, g, batch, 5);
        assertTrue(res.count() == 3 + 5 + 2, "targets + eos counted, found " + res.count());
        // the numeric side differentiates the forward-only objective: the very loss the backward pass reported
        assertEquals(res.meanLoss(), model.trainingLoss(p, batch, 5).meanLoss(), 0.0);
        double worst = 0;
        for (ParamLayout.Entry e : model.layout().entries()) {
            GradCheck.Result r = GradCheck.check(p.view(e), g.view(e),
                    () -> model.trainingLoss(p, batch, 5).meanLoss());
            assertTrue(r.maxRelError() <= TOL, spec + " " + e.name() + ": " + r);
            worst = Math.max(worst, r.maxRelError());
        }
        System.out.printf("%s enc %dx%s dec %d att %s feed %s dropout %.1f: max rel error %.3e%n", spec.cell(),
                spec.encoderLayers(), spec.bidirectional() ? "bi" : "uni", spec.decoderLayers(), spec.attention(),
                spec.inputFeeding(), spec.dropout(), worst);
        return worst;
    }

    @Test
    void noAttentionForEachCell() {
        for (CellType c : CellType.values()) {
            check(spec(c, 1, false, 1, Attention.NONE, false, 0), 1);
        }
    }

    @Test
    void stackedLstmWithDifferingLayerCountsAndSizes() {
        check(spec(CellType.LSTM, 2, false, 1, Attention.NONE, false, 0), 2);
        check(spec(CellType.LSTM, 1, true, 2, Attention.GENERAL, false, 0), 3);
    }

    @Test
    void dotAttentionWithAndWithoutInputFeeding() {
        check(spec(CellType.GRU, 1, false, 1, Attention.DOT, false, 0), 4);
        check(spec(CellType.GRU, 1, false, 2, Attention.DOT, true, 0), 5);
    }

    @Test
    void generalAttentionWithAndWithoutInputFeeding() {
        check(spec(CellType.RNN_TANH, 1, false, 1, Attention.GENERAL, false, 0), 6);
        check(spec(CellType.LSTM, 2, false, 2, Attention.GENERAL, true, 0), 7);
    }

    @Test
    void bidirectionalEncoderForEachCellWithAttention() {
        // one layer each: two bidirectional LSTM layers under two decoder layers with input feeding are checked by
        // dropoutBetweenLayersWithAFixedSeed (GENERAL scores; DOT's bidirectional keys are the same with one layer)
        check(spec(CellType.LSTM, 1, true, 1, Attention.DOT, true, 0), 8);
        check(spec(CellType.GRU, 1, true, 1, Attention.GENERAL, true, 0), 9);
        check(spec(CellType.RNN_TANH, 2, true, 1, Attention.NONE, false, 0), 10);
    }

    @Test
    void dropoutBetweenLayersWithAFixedSeed() {
        check(spec(CellType.LSTM, 2, true, 2, Attention.GENERAL, true, 0.3), 11);
    }
}
