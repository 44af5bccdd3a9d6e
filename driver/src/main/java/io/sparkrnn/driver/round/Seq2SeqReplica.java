package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.seq2seq.Seq2SeqBatch;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import io.sparkrnn.engine.seq2seq.Seq2SeqTrainer;
import io.sparkrnn.engine.train.StepReport;
import org.nd4j.linalg.api.buffer.DataType;

/** The replica of an encoder-decoder model: a {@link Seq2SeqTrainer}; pairs are independent, so no state carries. */
final class Seq2SeqReplica extends Replica {
    private final Seq2SeqTrainer seq2seq;

    private Seq2SeqReplica(Seq2SeqTrainer seq2seq) {
        super(seq2seq);
        this.seq2seq = seq2seq;
    }

    /** The replica of {@code spec}: clipping and dropout seed from the setup's tbptt settings, one engine thread. */
    static Seq2SeqReplica of(Seq2SeqSpec spec, ReplicaSetup setup) {
        if (setup.engineThreads() != 1) {
            throw new IllegalArgumentException("an encoder-decoder replica trains on one engine thread, found "
                    + setup.engineThreads());
        }
        Seq2SeqModel model = spec.newModel();
        Seq2SeqTrainer trainer = new Seq2SeqTrainer(model, FlatParams.zeros(model.layout(), DataType.FLOAT),
                setup.inner().create(model.layout().size(), DataType.FLOAT), setup.schedule(), setup.tbptt().clip(),
                setup.tbptt().seed());
        trainer.setPrecision(setup.precision());
        return new Seq2SeqReplica(trainer);
    }

    @Override
    void startRound(float[] carried, int batchSize) {
        if (carried != null) {
            throw new IllegalStateException("an encoder-decoder replica carries no state, but the driver sent "
                    + carried.length + " values");
        }
    }

    @Override
    StepReport step(TrainingPartition<?> data, long step) {
        return seq2seq.step(batchOf(data, step, Seq2SeqBatch.class, "an encoder-decoder model"));
    }

    @Override
    float[] carriedState() {
        return null;
    }
}
