package io.sparkrnn.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.testutil.GradCheck;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Whole-model gradient checks in float64 against five-point central differences (see {@link GradCheck}). */
class SequenceModelGradientTest {
    static final double TOL = 1e-6;

    /** Rows of lengths 5, 3 and 1: padding at the end of rows 1 and 2. */
    private static SequenceBatch alignedBatch(int vocab, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] lens = {5, 3, 1};
        List<int[]> in = new java.util.ArrayList<>();
        List<int[]> out = new java.util.ArrayList<>();
        for (int len : lens) {
            int[] a = new int[len];
            int[] b = new int[len];
            for (int i = 0; i < len; i++) {
                a[i] = 1 + r.nextInt(vocab - 1);
                b[i] = r.nextInt(classes);
            }
            in.add(a);
            out.add(b);
        }
        out.get(0)[2] = -100; // an ignored target inside a valid row
        return SequenceBatch.padAligned(in, out, 0, -100);
    }

    private static SequenceBatch pooledBatch(int vocab, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] lens = {4, 2, 5};
        List<int[]> in = new java.util.ArrayList<>();
        for (int len : lens) {
            int[] a = new int[len];
            for (int i = 0; i < len; i++) {
                a[i] = 1 + r.nextInt(vocab - 1);
            }
            in.add(a);
        }
        return SequenceBatch.padPooled(in, new int[] {1, 0, classes - 1}, 0);
    }

    private static void checkAll(SequenceModel model, SequenceBatch batch, long dropoutSeed) {
        FlatParams p = model.initParams(7, DataType.DOUBLE);
        p.flat().muli(1.5); // larger weights exercise the non-linearities
        FlatParams g = p.zerosLike();
        ModelState s0 = model.initialState(batch.batchSize(), DataType.DOUBLE);
        StepResult res = model.lossAndGradient(p, g, batch, s0.copy(), 0, dropoutSeed);
        assertTrue(res.count() > 0);
        // the numeric side differentiates the forward-only objective: the very loss the backward pass reported
        assertEquals(res.meanLoss(), model.trainingLoss(p, batch, s0.copy(), dropoutSeed).meanLoss(), 0.0);
        GradCheck.Result r = GradCheck.check(p.flat(), g.flat(),
                () -> model.trainingLoss(p, batch, s0.copy(), dropoutSeed).meanLoss());
        System.out.println(model.spec().cell() + " " + model.spec().topology() + ": " + r);
        assertTrue(r.maxRelError() <= TOL, r.toString());
    }

    @Test
    void languageModelTwoStackedLstmLayersWithMixedLengths() {
        checkAll(new SequenceModel(SequenceSpec.languageModel(6, 3, CellType.LSTM, 4, 2, 0.0)), alignedBatch(6, 6, 1), 0);
    }

    @Test
    void stackedGruWithDropoutBetweenLayers() {
        SequenceSpec spec = SequenceSpec.languageModel(6, 3, CellType.GRU, 3, 2, 0.4);
        checkAll(new SequenceModel(spec), alignedBatch(6, 6, 2), 99);
    }

    @Test
    void dropoutOnTheStacksInputAndOutput() {
        SequenceSpec plain = SequenceSpec.tagger(7, 3, 0, CellType.LSTM, 3, 2, true, 0.3, 4);
        SequenceSpec io = plain.withIoDropout(0.5);
        checkAll(new SequenceModel(io), alignedBatch(7, 4, 3), 11);
        checkAll(new SequenceModel(SequenceSpec.regressor(2, CellType.GRU, 3, 1, false, 0.0, SequenceSpec.Pooling.MEAN, 2)
                .withIoDropout(0.4)), regressionBatch(), 5);

        // the masks act in training only: same weights, same seed, other training loss, same evaluation loss
        SequenceBatch batch = alignedBatch(7, 4, 3);
        SequenceModel a = new SequenceModel(plain);
        SequenceModel b = new SequenceModel(io);
        FlatParams p = a.initParams(7, DataType.DOUBLE);
        double trainA = a.lossAndGradient(p, p.zerosLike(), batch, a.initialState(batch.batchSize(), DataType.DOUBLE),
                0, 11).meanLoss();
        double trainB = b.lossAndGradient(p, p.zerosLike(), batch, b.initialState(batch.batchSize(), DataType.DOUBLE),
                0, 11).meanLoss();
        assertTrue(Math.abs(trainA - trainB) > 1e-6, trainA + " vs " + trainB);
        assertEquals(a.loss(p, batch, a.initialState(batch.batchSize(), DataType.DOUBLE)).meanLoss(),
                b.loss(p, batch, b.initialState(batch.batchSize(), DataType.DOUBLE)).meanLoss(), 0.0);
    }

    @Test
    void bidirectionalTaggerForEachCell() {
        for (CellType c : CellType.values()) {
            SequenceSpec spec = SequenceSpec.tagger(7, 3, 0, c, 3, 1, true, 0.0, 4);
            checkAll(new SequenceModel(spec), alignedBatch(7, 4, 3), 0);
        }
    }

    @Test
    void classifiersWithLastAndMeanPooling() {
        checkAll(new SequenceModel(SequenceSpec.classifier(6, 3, 0, CellType.RNN_TANH, 3, 1, true, 0.0,
                SequenceSpec.Pooling.LAST, 3)), pooledBatch(6, 3, 4), 0);
        checkAll(new SequenceModel(SequenceSpec.classifier(6, 3, 0, CellType.LSTM, 3, 2, false, 0.0,
                SequenceSpec.Pooling.MEAN, 3)), pooledBatch(6, 3, 5), 0);
        checkAll(new SequenceModel(SequenceSpec.classifier(6, 3, 0, CellType.GRU, 3, 1, true, 0.0,
                SequenceSpec.Pooling.MEAN, 2)), pooledBatch(6, 2, 6), 0);
    }

    @Test
    void regressorWithMeanSquaredError() {
        checkAll(new SequenceModel(SequenceSpec.regressor(2, CellType.GRU, 3, 2, false, 0.0, SequenceSpec.Pooling.LAST, 2)),
                regressionBatch(), 0);
    }

    private static SequenceBatch regressionBatch() {
        SplittableRandom r = new SplittableRandom(8);
        int t = 4;
        int b = 3;
        float[] x = new float[t * b * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return SequenceBatch.pooledFeatures(t, b, 2, x, new int[] {4, 2, 3},
                new float[] {0.5f, -1f, 2f, 0f, 1f, -0.5f}, 2);
    }

    /**
     * Truncated BPTT with k2 = 2 of a 5-step window: the state entering step 3 is a constant; the head is
     * trained on every step; the recurrence and embedding only through the losses of steps 3 and 4.
     */
    @Test
    void truncatedBackpropagationIsTheGradientOfTheTruncatedObjective() {
        SequenceModel model = new SequenceModel(SequenceSpec.languageModel(6, 3, CellType.LSTM, 4, 2, 0.0));
        SequenceBatch batch = alignedBatch(6, 6, 9);
        int cut = 3;
        FlatParams p = model.initParams(3, DataType.DOUBLE);
        FlatParams p0 = p.copy();
        FlatParams g = p.zerosLike();
        StepResult full = model.lossAndGradient(p, g, batch, model.initialState(3, DataType.DOUBLE), cut, 0);
        long total = full.count();

        // state at the cut, computed with the fixed weights p0
        ModelState atCut = model.initialState(3, DataType.DOUBLE);
        model.loss(p0, batch.window(0, cut), atCut);
        SequenceBatch tail = batch.window(cut, batch.steps());

        ParamLayout layout = model.layout();
        for (ParamLayout.Entry e : layout.entries()) {
            INDArray view = p.view(e);
            boolean headParam = e.name().startsWith("head.");
            GradCheck.Result r = GradCheck.check(view, g.view(e), () -> headParam
                    ? model.loss(p, batch, model.initialState(3, DataType.DOUBLE)).lossSum() / total
                    : model.loss(p, tail, atCut.copy()).lossSum() / total);
            System.out.println("tbptt " + e.name() + ": " + r);
            assertTrue(r.maxRelError() <= TOL, e.name() + ": " + r);
        }
        assertEquals(total, model.loss(p, batch, model.initialState(3, DataType.DOUBLE)).count());
    }
}
