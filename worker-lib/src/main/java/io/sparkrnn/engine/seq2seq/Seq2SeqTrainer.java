package io.sparkrnn.engine.seq2seq;

import io.sparkrnn.engine.model.StepResult;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.Optimizer;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.LocalTrainer;
import io.sparkrnn.engine.train.StepReport;

/**
 * Teacher-forced training of an encoder-decoder model, one optimizer step per batch of pairs: zero the
 * gradient, forward and backward through encoder, bridge, attention and decoder (the gradient of the mean
 * cross-entropy over the batch's target tokens, {@link Seq2SeqModel#lossAndGradient}), clip, and apply the
 * inner optimizer at the scheduled learning rate; a step whose loss or gradient is not finite is reported and
 * not applied (see {@link LocalTrainer#update}). Pairs are independent, so no state carries between batches.
 */
public final class Seq2SeqTrainer extends LocalTrainer {
    private final Seq2SeqModel model;
    private final long seed;

    /**
     * @param clip gradient clipping by global L2 norm and/or value ({@link ClipConfig#none()} for none)
     * @param seed seed of the dropout masks (derived per step)
     */
    public Seq2SeqTrainer(Seq2SeqModel model, FlatParams params, Optimizer optimizer, LrSchedule schedule,
            ClipConfig clip, long seed) {
        super(checkLayout(model, params), optimizer, schedule, clip);
        this.model = model;
        this.seed = seed;
    }

    private static FlatParams checkLayout(Seq2SeqModel model, FlatParams params) {
        if (!params.layout().equals(model.layout())) {
            throw new IllegalArgumentException("parameters do not have the encoder-decoder model's layout: expected "
                    + model.layout().size() + " values, found " + params.layout().size());
        }
        return params;
    }

    public Seq2SeqModel model() {
        return model;
    }

    /** One optimizer step on {@code batch}; the report counts the batch's target tokens (each row's n + 1). */
    public StepReport step(Seq2SeqBatch batch) {
        grads.flat().assign(0);
        StepResult r = withProducts(() -> model.lossAndGradient(params, grads, batch, dropoutSeed(seed)));
        return update(r);
    }
}
