package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.optim.Optimizer;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.TbpttTrainer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A partition's local model on an executor, built once per run and partition and reused every round
 * (reloaded from the broadcast parameters, never rebuilt from the config).
 */
final class Replica {
    private static final Map<String, Replica> CACHE = new ConcurrentHashMap<>();

    final SequenceModel model;
    final FlatParams params;
    final Optimizer optimizer;
    final TbpttTrainer trainer;
    ModelState state;

    private Replica(WorkerSetup setup, int batchSize) {
        this.model = new SequenceModel(setup.spec());
        this.params = FlatParams.zeros(model.layout(), DataType.FLOAT);
        this.optimizer = setup.inner().create(model.layout().size(), DataType.FLOAT);
        this.trainer = new TbpttTrainer(model, params, optimizer, setup.schedule(), setup.tbptt());
        this.state = model.initialState(batchSize, DataType.FLOAT);
    }

    /** The replica of {@code partition} in run {@code runId}, built on first use in this JVM. */
    static Replica get(String runId, int partition, WorkerSetup setup, int batchSize) {
        return CACHE.computeIfAbsent(runId + "/" + partition, k -> new Replica(setup, batchSize));
    }

    /** Drops every replica of a run (its end). */
    static void release(String runId) {
        CACHE.keySet().removeIf(k -> k.startsWith(runId + "/"));
    }
}
