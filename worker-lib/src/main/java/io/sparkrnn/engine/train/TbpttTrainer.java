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
 */
public final class TbpttTrainer extends LocalTrainer {
    private final SequenceModel model;
    private final TbpttConfig config;

    public TbpttTrainer(SequenceModel model, FlatParams params, Optimizer optimizer, LrSchedule schedule,
            TbpttConfig config) {
        super(checkLayout(model, params), optimizer, schedule, config.clip());
        if (model.spec().bidirectional() && config.k2() != config.k1()) {
            throw new IllegalArgumentException("bidirectional layers back-propagate whole windows: expected k2 = k1 = "
                    + config.k1() + ", found k2 = " + config.k2());
        }
        this.model = model;
        this.config = config;
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
        boolean pooled = model.spec().topology() == io.sparkrnn.engine.model.ModelSpec.Topology.POOLED;
        for (int from = 0; from < t; from += config.k1()) {
            SequenceBatch w = batch.window(from, Math.min(t, from + config.k1()));
            if (pooled && !w.isLast()) {
                model.loss(params, w, state);
                continue;
            }
            reports.add(step(w, state));
        }
        return reports;
    }

    /** One optimizer step on one window (at most k1 steps). */
    public StepReport step(SequenceBatch window, ModelState state) {
        if (window.steps() > config.k1()) {
            throw new IllegalArgumentException("window of " + window.steps() + " steps exceeds k1 = " + config.k1());
        }
        int gradStart = Math.max(0, window.steps() - config.k2());
        grads.flat().assign(0);
        StepResult r = model.lossAndGradient(params, grads, window, state, gradStart, dropoutSeed(config.seed()));
        return update(r);
    }
}
