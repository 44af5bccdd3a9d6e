package io.sparkrnn.engine.train;

import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.StepResult;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.Optimizer;
import io.sparkrnn.engine.param.FlatParams;
import java.util.ArrayList;
import java.util.List;

/**
 * Truncated back-propagation through time (Williams and Peng 1990) with one optimizer step per window of
 * k1 steps. The hidden state carries across the windows of a batch (and across batches of one stream when
 * the caller keeps the {@link ModelState}); the caller starts a new state between sequences.
 *
 * <p>Per window: zero the gradient, forward k1 steps, back-propagate through the last k2, clip (global L2
 * norm, then value), and apply the inner optimizer at the scheduled learning rate. A window whose loss or
 * gradient is not finite is reported and not applied. A pooled model (one output per sequence) has its loss
 * in the window that ends the batch; earlier windows only advance the state.
 *
 * <p>With more than one engine thread each window's forward and backward pass runs batch-parallel
 * ({@link BatchParallel}): the rows are cut into blocks that run concurrently, their gradients are summed in block
 * order into the whole window's gradient, then clipping and the optimizer step run once, as on one thread. The
 * result equals the one-thread step up to the order of floating-point sums. Close the trainer to stop its threads.
 */
public final class TbpttTrainer extends LocalTrainer {
    private final SequenceModel model;
    private final TbpttConfig config;
    /** null on one engine thread. */
    private final BatchParallel parallel;

    public TbpttTrainer(SequenceModel model, FlatParams params, Optimizer optimizer, LrSchedule schedule,
            TbpttConfig config) {
        this(model, params, optimizer, schedule, config, 1);
    }

    /**
     * A trainer whose windows run on {@code engineThreads} threads (1 = the calling thread only; more = the
     * batch-parallel step, with a pool of {@code engineThreads - 1} threads owned by this trainer).
     */
    public TbpttTrainer(SequenceModel model, FlatParams params, Optimizer optimizer, LrSchedule schedule,
            TbpttConfig config, int engineThreads) {
        super(checkLayout(model, params), optimizer, schedule, config.clip());
        if (engineThreads < 1) {
            throw new IllegalArgumentException("engine threads must be >= 1, found " + engineThreads);
        }
        if (model.spec().bidirectional() && config.k2() != config.k1()) {
            throw new IllegalArgumentException("bidirectional layers back-propagate whole windows: expected k2 = k1 = "
                    + config.k1() + ", found k2 = " + config.k2());
        }
        this.model = model;
        this.config = config;
        this.parallel = engineThreads == 1 ? null : new BatchParallel(model, grads, engineThreads);
    }

    /** Threads a window runs on. */
    public int engineThreads() {
        return parallel == null ? 1 : parallel.threads();
    }

    @Override
    public void close() {
        if (parallel != null) {
            parallel.close();
        }
    }

    private static FlatParams checkLayout(SequenceModel model, FlatParams params) {
        if (!params.layout().equals(model.layout())) {
            throw new IllegalArgumentException("parameters do not have the model's layout");
        }
        return params;
    }

    /**
     * Trains on one batch, window by window; {@code state} enters the first window and leaves with the
     * last window's final state.
     */
    public List<StepReport> fit(SequenceBatch batch, ModelState state) {
        int t = batch.steps();
        if (model.spec().bidirectional() && t > config.k1()) {
            throw new IllegalArgumentException("bidirectional layers see the whole sequence: batch length " + t
                    + " exceeds k1 = " + config.k1() + "; raise k1 or cut the sequences");
        }
        List<StepReport> reports = new ArrayList<>();
        boolean pooled = model.spec().topology() == io.sparkrnn.engine.model.SequenceSpec.Topology.POOLED;
        // On several threads the state is cut into row blocks once per batch, not per window.
        ModelState[] blocks = null;
        if (parallel != null) {
            checkRows(batch, state);
            blocks = parallel.split(state);
        }
        for (int from = 0; from < t; from += config.k1()) {
            SequenceBatch w = batch.window(from, Math.min(t, from + config.k1()));
            if (pooled && !w.isLast()) {
                ModelState[] b = blocks;
                withProducts(() -> {
                    if (b == null) {
                        model.loss(params, w, state);
                    } else {
                        parallel.advance(params, w, b);
                    }
                    return null;
                });
                continue;
            }
            reports.add(blocks == null ? step(w, state) : step(w, blocks));
        }
        if (blocks != null) {
            parallel.merge(state, blocks);
        }
        return reports;
    }

    /** One optimizer step on one window (at most k1 steps). */
    public StepReport step(SequenceBatch window, ModelState state) {
        if (window.steps() > config.k1()) {
            throw new IllegalArgumentException("window of " + window.steps() + " steps exceeds k1 = " + config.k1());
        }
        if (parallel != null) {
            checkRows(window, state);
            ModelState[] blocks = parallel.split(state);
            StepReport report = step(window, blocks);
            parallel.merge(state, blocks);
            return report;
        }
        grads.flat().assign(0);
        StepResult r = withProducts(() -> model.lossAndGradient(params, grads, window, state, gradStart(window),
                dropoutSeed(config.seed())));
        return update(r);
    }

    private StepReport step(SequenceBatch window, ModelState[] blocks) {
        if (window.steps() > config.k1()) {
            throw new IllegalArgumentException("window of " + window.steps() + " steps exceeds k1 = " + config.k1());
        }
        return update(withProducts(() -> parallel.lossAndGradient(params, window, blocks, gradStart(window),
                dropoutSeed(config.seed()))));
    }

    private static void checkRows(SequenceBatch batch, ModelState state) {
        if (state.batchSize() != batch.batchSize()) {
            throw new IllegalArgumentException("state has " + state.batchSize() + " rows, batch has "
                    + batch.batchSize());
        }
    }

    private int gradStart(SequenceBatch window) {
        return Math.max(0, window.steps() - config.k2());
    }
}
