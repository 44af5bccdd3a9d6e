package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;

/**
 * The replica setup of an encoder-decoder model ({@link io.sparkrnn.engine.seq2seq.Seq2SeqTrainer}: one inner
 * step per batch of pairs). Trains on partitions of {@code Seq2SeqBatch}es (the corpus package's
 * {@code PairBatching}).
 *
 * @param spec     the encoder-decoder model
 * @param inner    the inner optimizer
 * @param schedule the inner learning rate by global inner step r*H + j
 * @param clip     local gradient clipping of every inner step ({@link ClipConfig#none()} for none)
 * @param seed     seed of the dropout masks (derived per step)
 */
public record Seq2SeqSetup(Seq2SeqSpec spec, OptimizerConfig inner, LrSchedule schedule, ClipConfig clip, long seed)
        implements ReplicaSetup {
    public Seq2SeqSetup {
        if (spec == null || inner == null || schedule == null || clip == null) {
            throw new IllegalArgumentException("spec, inner optimizer, schedule and clip settings are required "
                    + "(ClipConfig.none() for no clipping)");
        }
    }

    @Override
    public long parameterCount() {
        return new Seq2SeqModel(spec).layout().size();
    }
}
