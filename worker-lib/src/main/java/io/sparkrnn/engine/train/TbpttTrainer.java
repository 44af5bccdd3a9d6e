package io.sparkrnn.engine.train;

import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.StepResult;
import io.sparkrnn.engine.optim.ClipResult;
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
public final class TbpttTrainer {
    private final SequenceModel model;
    private final FlatParams params;
    private final FlatParams grads;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final TbpttConfig config;
    private long step;
    private double lrScale = 1.0;

    public TbpttTrainer(SequenceModel model, FlatParams params, Optimizer optimizer, LrSchedule schedule,
            TbpttConfig config) {
        if (!params.layout().equals(model.layout())) {
            throw new IllegalArgumentException("parameters do not have the model's layout");
        }
        if (model.spec().bidirectional() && config.k2() != config.k1()) {
            throw new IllegalArgumentException("bidirectional layers back-propagate whole windows: expected k2 = k1 = "
                    + config.k1() + ", found k2 = " + config.k2());
        }
        this.model = model;
        this.params = params;
        this.grads = params.zerosLike();
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.config = config;
    }

    public FlatParams params() {
        return params;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Optimizer steps taken so far (the schedule's position). */
    public long stepCount() {
        return step;
    }

    /** Sets the schedule's position, e.g. when resuming. */
    public void setStepCount(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("step count must be >= 0, found " + steps);
        }
        this.step = steps;
    }

    /**
     * Scales the scheduled learning rate from now on (1 = as scheduled); the driver backs it off after a
     * rejected round.
     */
    public void setLearningRateScale(double scale) {
        if (!(scale > 0 && scale <= 1)) {
            throw new IllegalArgumentException("learning-rate scale must be in (0, 1], found " + scale);
        }
        this.lrScale = scale;
    }

    /** The gradient of the last step (after clipping), a vector of the model's layout. */
    public FlatParams lastGradient() {
        return grads;
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
        long dropoutSeed = config.seed() * 0x9E3779B97F4A7C15L + step;
        StepResult r = model.lossAndGradient(params, grads, window, state, gradStart, dropoutSeed);
        double lr = schedule.lr(step) * lrScale;
        ClipResult clip = config.clip().apply(grads.flat());
        boolean finite = Double.isFinite(r.lossSum()) && clip.finite();
        StepReport report = new StepReport(step, r.lossSum(), r.count(), clip.normBefore(), clip.normAfter(), lr,
                clip.normClipped() || clip.valueClipped(), !finite || r.count() == 0);
        if (!report.skipped()) {
            optimizer.step(params.flat(), grads.flat(), lr);
        }
        step++;
        return report;
    }
}
