package io.sparkrnn.engine.train;

import io.sparkrnn.engine.model.StepResult;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.ClipResult;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.Optimizer;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.tensor.Bf16Products;
import io.sparkrnn.engine.tensor.Precision;
import java.util.function.Supplier;

/**
 * The inner loop of one model replica, as the driver's round loop drives it: the parameters and gradient (one
 * flat vector each, the model's layout), the inner optimizer, the schedule's position and a learning-rate
 * scale. Subclasses compute a loss and gradient per batch ({@link TbpttTrainer}: one truncated-BPTT window;
 * {@code Seq2SeqTrainer}: one batch of pairs) and hand it to {@link #update}, the one optimizer step they share:
 * clip (global L2 norm, then value), apply the inner optimizer at {@code schedule.lr(step) * scale}, or skip
 * and report the step when the loss or gradient is not finite (or nothing was counted). A trainer that owns
 * threads releases them in {@link #close}.
 */
public abstract class LocalTrainer implements AutoCloseable {
    protected final FlatParams params;
    protected final FlatParams grads;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final ClipConfig clip;
    private long step;
    private double lrScale = 1.0;
    private Precision precision = Precision.FLOAT32;
    /** The bf16 products of the steps, or null for float32 ones. */
    private Bf16Products products;

    protected LocalTrainer(FlatParams params, Optimizer optimizer, LrSchedule schedule, ClipConfig clip) {
        if (optimizer.size() != params.layout().size()) {
            throw new IllegalArgumentException("optimizer has " + optimizer.size() + " values, the parameters "
                    + params.layout().size());
        }
        this.params = params;
        this.grads = params.zerosLike();
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.clip = clip;
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

    /**
     * Sets the arithmetic of the steps' matrix products ({@code train.precision}); {@link Precision#BF16} on a CPU
     * without bf16 units runs float32 (logged once).
     */
    public void setPrecision(Precision precision) {
        this.precision = precision;
        this.products = Bf16Products.of(precision, params.flat());
    }

    /** The precision set, as configured (also when the CPU runs it in float32). */
    public Precision precision() {
        return precision;
    }

    /**
     * Runs one step's forward (and backward) pass {@code body} with the trainer's products: in bf16 the weights are
     * converted first, from the parameters as they are now (after the last update, load or outer step).
     */
    protected final <T> T withProducts(Supplier<T> body) {
        if (products == null) {
            return body.get();
        }
        products.refresh();
        return Bf16Products.run(products, body);
    }

    /** The gradient of the last step (after clipping), a vector of the model's layout. */
    public FlatParams lastGradient() {
        return grads;
    }

    /** Releases what the trainer owns beyond its buffers (engine threads); nothing by default. */
    @Override
    public void close() {
    }

    /** The seed of this step's dropout masks: {@code seed * golden + step}, so a replayed step draws the same. */
    protected final long dropoutSeed(long seed) {
        return seed * 0x9E3779B97F4A7C15L + step;
    }

    /**
     * Finishes one step whose loss is {@code r} and whose gradient the subclass has just written into
     * {@link #grads}: clips it, applies the optimizer unless the step is skipped, and advances the step count.
     */
    protected final StepReport update(StepResult r) {
        double lr = schedule.lr(step) * lrScale;
        ClipResult c = clip.apply(grads.flat());
        boolean finite = Double.isFinite(r.lossSum()) && c.finite();
        StepReport report = new StepReport(step, r.lossSum(), r.count(), c.normBefore(), c.normAfter(), lr,
                c.normClipped() || c.valueClipped(), !finite || r.count() == 0);
        if (!report.skipped()) {
            optimizer.step(params.flat(), grads.flat(), lr);
        }
        step++;
        return report;
    }
}
