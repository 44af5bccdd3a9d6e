package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.StepReport;
import io.sparkrnn.engine.train.TbpttTrainer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The replica of a sequence model: a {@link TbpttTrainer} and the recurrent state, which carries across the
 * partition's batches (and rounds) and is reset where the data starts new sequences.
 */
final class SequenceReplica extends Replica {
    private final SequenceModel model;
    private final TbpttTrainer tbptt;
    private ModelState state;

    private SequenceReplica(SequenceModel model, TbpttTrainer tbptt, int batchSize) {
        super(tbptt);
        this.model = model;
        this.tbptt = tbptt;
        this.state = model.initialState(batchSize, DataType.FLOAT);
    }

    static SequenceReplica of(SequenceSpec spec, ReplicaSetup setup, int batchSize) {
        SequenceModel model = spec.newModel();
        TbpttTrainer trainer = new TbpttTrainer(model, FlatParams.zeros(model.layout(), DataType.FLOAT),
                setup.inner().create(model.layout().size(), DataType.FLOAT), setup.schedule(), setup.tbptt(),
                setup.engineThreads());
        trainer.setPrecision(setup.precision());
        return new SequenceReplica(model, trainer, batchSize);
    }

    @Override
    void startRound(float[] carried, int batchSize) {
        state = model.initialState(batchSize, DataType.FLOAT);
        if (carried != null) {
            state.stack().fromVector(carried);
        }
    }

    @Override
    StepReport step(TrainingPartition<?> data, long step) {
        SequenceBatch b = batchOf(data, step, SequenceBatch.class, "a sequence model");
        if (data.startsSequence(step)) {
            state = model.initialState(data.batchSize(), DataType.FLOAT);
        }
        return tbptt.step(b, state);
    }

    @Override
    float[] carriedState() {
        return state.stack().toVector();
    }
}
