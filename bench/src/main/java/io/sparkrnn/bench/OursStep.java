package io.sparkrnn.bench;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.tensor.Precision;
import io.sparkrnn.engine.train.TbpttConfig;
import io.sparkrnn.engine.train.TbpttTrainer;
import io.sparkrnn.engine.train.TokenStreamBatcher;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Our engine: a language model (embedding, one recurrent layer, linear head) trained by {@link TbpttTrainer}
 * with Adam and global-norm clipping on a random token stream, in float32 (matrix products in float32 or bf16:
 * {@code train.precision}), on the measurement's thread count as
 * engine threads (the batch-parallel step; the child's BLAS runs at one thread).
 */
final class OursStep implements TrainingStep {
    private final SequenceModel model;
    private final TbpttTrainer trainer;
    private final TokenStreamBatcher batches;
    private final int batch;
    private ModelState state;

    OursStep(BenchSettings s, String cell, int hidden, Precision precision) {
        model = new SequenceModel(SequenceSpec.languageModel(s.vocab(), s.embedding(), CellType.parse(cell), hidden, 1, 0.0));
        FlatParams params = model.initParams(s.seed(), DataType.FLOAT);
        trainer = new TbpttTrainer(model, params, OptimizerConfig.adam().create(params.layout().size(),
                DataType.FLOAT), LrSchedule.constant(s.lr()), TbpttConfig.of(s.k(), s.clip(), s.seed()), s.threadCount());
        trainer.setPrecision(precision);
        batches = new TokenStreamBatcher(RandomTokens.stream(s, 8), s.batch(), s.seq());
        batch = s.batch();
    }

    @Override
    public void trainOneBatch() {
        if (state == null || batches.startsEpoch()) {
            state = model.initialState(batch, DataType.FLOAT);
        }
        trainer.fit(batches.next(), state);
    }
}
