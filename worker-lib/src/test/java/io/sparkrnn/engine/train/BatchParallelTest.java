package io.sparkrnn.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The batch-parallel step on T engine threads against the one-thread step: the same parameters, losses, counts and
 * gradient norms after several Adam steps with clipping and the state carried across windows and batches, for
 * every cell, with masks (ragged rows), truncation, dropout, bidirectional layers, pooling and batches that T does
 * not divide. float64 agrees to rounding (1e-12 of the largest value); float32 within 1e-5.
 */
class BatchParallelTest {
    private static final int BATCHES = 3;

    /** Aligned token batches of {@code rows} rows of random lengths in [1, maxLen] (padding after each). */
    static SequenceBatch tagged(long seed, int rows, int maxLen, int vocab, int tags) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> in = new ArrayList<>();
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            int len = b == 0 ? maxLen : 1 + r.nextInt(maxLen);
            int[] x = new int[len];
            int[] y = new int[len];
            for (int i = 0; i < len; i++) {
                x[i] = 1 + r.nextInt(vocab - 1);
                y[i] = r.nextInt(10) == 0 ? -100 : r.nextInt(tags);
            }
            in.add(x);
            out.add(y);
        }
        return SequenceBatch.padAligned(in, out, 0, -100);
    }

    static SequenceBatch labelled(long seed, int rows, int maxLen, int vocab, int classes) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> in = new ArrayList<>();
        int[] labels = new int[rows];
        for (int b = 0; b < rows; b++) {
            int len = b == 0 ? maxLen : 1 + r.nextInt(maxLen);
            int[] x = new int[len];
            for (int i = 0; i < len; i++) {
                x[i] = 1 + r.nextInt(vocab - 1);
            }
            in.add(x);
            labels[b] = r.nextInt(classes);
        }
        return SequenceBatch.padPooled(in, labels, 0);
    }

    static SequenceBatch features(long seed, int rows, int steps, int size, int outputs) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[steps * rows * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        int[] len = new int[rows];
        for (int b = 0; b < rows; b++) {
            len[b] = b == 0 ? steps : 1 + r.nextInt(steps);
        }
        float[] y = new float[rows * outputs];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) r.nextGaussian();
        }
        return SequenceBatch.pooledFeatures(steps, rows, size, x, len, y, outputs);
    }

    /** What a run of {@link #BATCHES} batches left: parameters, state and every step's report. */
    record Run(float[] paramsF, double[] paramsD, float[] state, List<StepReport> reports) {
    }

    static Run train(SequenceSpec spec, DataType dt, int threads, TbpttConfig cfg, LongFunction<SequenceBatch> data,
            boolean byWindow) {
        SequenceModel model = new SequenceModel(spec);
        FlatParams p = model.initParams(11, dt);
        List<StepReport> reports = new ArrayList<>();
        ModelState state = null;
        try (TbpttTrainer t = new TbpttTrainer(model, p, OptimizerConfig.adam().create(p.layout().size(), dt),
                LrSchedule.constant(0.02), cfg, threads)) {
            assertEquals(threads, t.engineThreads());
            for (int i = 0; i < BATCHES; i++) {
                SequenceBatch b = data.apply(i);
                if (state == null) {
                    state = model.initialState(b.batchSize(), dt);
                }
                if (byWindow) {
                    // The driver's way: one step call per window, the caller keeping the state.
                    for (int from = 0; from < b.steps(); from += cfg.k1()) {
                        reports.add(t.step(b.window(from, Math.min(b.steps(), from + cfg.k1())), state));
                    }
                } else {
                    reports.addAll(t.fit(b, state));
                }
            }
        }
        return new Run(dt == DataType.FLOAT ? p.flat().data().asFloat() : null,
                dt == DataType.DOUBLE ? p.flat().data().asDouble() : null, state.stack().toVector(), reports);
    }

    /** Trains on 1 thread and on each of {@code threads}, and compares within {@code tol} of the largest value. */
    static void assertSameTraining(SequenceSpec spec, DataType dt, TbpttConfig cfg, LongFunction<SequenceBatch> data,
            boolean byWindow, double tol, int... threads) {
        Run one = train(spec, dt, 1, cfg, data, byWindow);
        for (int t : threads) {
            Run par = train(spec, dt, t, cfg, data, byWindow);
            String what = spec.cell() + " " + spec.topology() + (spec.bidirectional() ? " bidirectional" : "") + " on "
                    + t + " threads";
            assertEquals(one.reports.size(), par.reports.size(), what);
            for (int i = 0; i < one.reports.size(); i++) {
                StepReport a = one.reports.get(i);
                StepReport b = par.reports.get(i);
                assertEquals(a.count(), b.count(), what + " step " + i + " count");
                assertEquals(a.skipped(), b.skipped(), what + " step " + i);
                assertEquals(a.clipped(), b.clipped(), what + " step " + i);
                assertEquals(a.lossSum(), b.lossSum(), tol * Math.max(1, Math.abs(a.lossSum())), what + " loss " + i);
                assertEquals(a.gradNormBefore(), b.gradNormBefore(), tol * Math.max(1, a.gradNormBefore()),
                        what + " norm " + i);
            }
            if (dt == DataType.DOUBLE) {
                assertClose(one.paramsD, par.paramsD, tol, what + " parameters");
            } else {
                assertClose(toDouble(one.paramsF), toDouble(par.paramsF), tol, what + " parameters");
            }
            assertClose(toDouble(one.state), toDouble(par.state), dt == DataType.DOUBLE ? 1e-6 : tol,
                    what + " carried state");
        }
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(scale > 0, what + " all zero");
        assertTrue(worst <= tol * scale, what + ": max difference " + worst + " > " + tol + " x " + scale);
    }

    @Test
    void everyCellWithRaggedRowsTruncationAndCarriedStateMatchesOneThread() {
        // 5 rows on 2 and 3 threads: blocks of 2+3 and 1+2+2 rows; windows of 6 steps back-propagated through 4.
        TbpttConfig cfg = new TbpttConfig(6, 4, ClipConfig.byNorm(1.0), 5);
        for (CellType cell : CellType.values()) {
            SequenceSpec spec = SequenceSpec.tagger(20, 6, 0, cell, 8, 1, false, 0.0, 7);
            assertSameTraining(spec, DataType.DOUBLE, cfg, i -> tagged(100 + i, 5, 15, 20, 7), false, 1e-12, 2, 3);
        }
    }

    @Test
    void stepPerWindowAsTheDriverCallsIt() {
        TbpttConfig cfg = new TbpttConfig(5, 5, ClipConfig.byNorm(0.5), 5);
        SequenceSpec spec = SequenceSpec.languageModel(16, 5, CellType.LSTM, 6, 2, 0.0);
        TokenStreamBatcher stream = new TokenStreamBatcher(randomStream(2000, 16, 3), 7, 12);
        assertSameTraining(spec, DataType.DOUBLE, cfg, stream::batch, true, 1e-12, 2, 4);
    }

    @Test
    void bidirectionalStackWithDropoutBetweenLayers() {
        TbpttConfig cfg = new TbpttConfig(12, 12, ClipConfig.byNorm(1.0), 9);
        for (CellType cell : CellType.values()) {
            SequenceSpec spec = SequenceSpec.tagger(20, 6, 0, cell, 5, 2, true, 0.3, 4);
            assertSameTraining(spec, DataType.DOUBLE, cfg, i -> tagged(200 + i, 6, 12, 20, 4), false, 1e-12, 2, 4);
        }
    }

    @Test
    void pooledModelsAcrossWindowsAndRegression() {
        // Mean pooling over three windows: the running sums and counts are carried per row block.
        TbpttConfig cfg = new TbpttConfig(4, 4, ClipConfig.byNorm(1.0), 3);
        assertSameTraining(SequenceSpec.classifier(20, 6, 0, CellType.GRU, 7, 1, false, 0.0, SequenceSpec.Pooling.MEAN, 3),
                DataType.DOUBLE, cfg, i -> labelled(300 + i, 5, 11, 20, 3), false, 1e-12, 2);
        assertSameTraining(SequenceSpec.classifier(20, 6, 0, CellType.LSTM, 7, 1, true, 0.0, SequenceSpec.Pooling.LAST, 3),
                DataType.DOUBLE, new TbpttConfig(11, 11, ClipConfig.byNorm(1.0), 3),
                i -> labelled(400 + i, 7, 11, 20, 3), false, 1e-12, 3);
        assertSameTraining(SequenceSpec.regressor(3, CellType.RNN_TANH, 6, 1, false, 0.0, SequenceSpec.Pooling.LAST, 2),
                DataType.DOUBLE, cfg, i -> features(500 + i, 5, 9, 3, 2), false, 1e-12, 2);
    }

    @Test
    void float32WithinATightBound() {
        TbpttConfig cfg = TbpttConfig.of(10, 1.0, 1);
        TokenStreamBatcher stream = new TokenStreamBatcher(randomStream(5000, 32, 4), 9, 20);
        for (CellType cell : CellType.values()) {
            SequenceSpec spec = SequenceSpec.languageModel(32, 8, cell, 24, 1, 0.0);
            assertSameTraining(spec, DataType.FLOAT, cfg, stream::batch, false, 1e-5, 2);
        }
    }

    @Test
    void deterministicWhateverTheThreadTiming() {
        TbpttConfig cfg = TbpttConfig.of(10, 1.0, 1);
        TokenStreamBatcher stream = new TokenStreamBatcher(randomStream(5000, 32, 6), 8, 20);
        SequenceSpec spec = SequenceSpec.languageModel(32, 8, CellType.LSTM, 16, 1, 0.0);
        Run a = train(spec, DataType.FLOAT, 3, cfg, stream::batch, false);
        Run b = train(spec, DataType.FLOAT, 3, cfg, stream::batch, false);
        assertArrayEquals(a.paramsF, b.paramsF);
        assertArrayEquals(a.state, b.state);
    }

    @Test
    void moreThreadsThanRowsAndBadInput() {
        // 2 rows on 4 threads: two blocks of one row.
        TbpttConfig cfg = new TbpttConfig(6, 6, ClipConfig.byNorm(1.0), 5);
        SequenceSpec spec = SequenceSpec.tagger(20, 6, 0, CellType.GRU, 5, 1, false, 0.0, 4);
        assertSameTraining(spec, DataType.DOUBLE, cfg, i -> tagged(600 + i, 2, 6, 20, 4), false, 1e-12, 4);

        SequenceModel model = new SequenceModel(spec);
        FlatParams p = model.initParams(1, DataType.DOUBLE);
        try (TbpttTrainer t = new TbpttTrainer(model, p, OptimizerConfig.adam().create(p.layout().size(),
                DataType.DOUBLE), LrSchedule.constant(0.01), cfg, 2)) {
            SequenceBatch b = tagged(1, 4, 6, 20, 4);
            IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                    () -> t.step(b, model.initialState(3, DataType.DOUBLE)));
            assertEquals("state has 3 rows, batch has 4", rows.getMessage());
            int[] tokens = b.tokens().clone();
            tokens[3] = 99; // step 0, row 3: in the second block, named by its row in the whole batch
            SequenceBatch bad = SequenceBatch.alignedTokens(b.steps(), 4, tokens, b.lengths(), b.targets());
            ModelState s = model.initialState(4, DataType.DOUBLE);
            float[] before = s.stack().toVector();
            IllegalArgumentException id = assertThrows(IllegalArgumentException.class, () -> t.step(bad, s));
            assertEquals("token id at step 0, row 3 must be in [0, 20), found 99", id.getMessage());
            assertArrayEquals(before, s.stack().toVector(), "a failed step leaves the state as it was");
        }
        assertThrows(IllegalArgumentException.class, () -> new TbpttTrainer(model, p,
                OptimizerConfig.adam().create(p.layout().size(), DataType.DOUBLE), LrSchedule.constant(0.01), cfg, 0));
    }

    static int[] randomStream(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = r.nextInt(vocab);
        }
        return s;
    }
}
