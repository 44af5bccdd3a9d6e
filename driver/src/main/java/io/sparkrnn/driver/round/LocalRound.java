package io.sparkrnn.driver.round;

import io.sparkrnn.engine.train.StepReport;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The task body of a round: H local truncated-BPTT steps on one partition's replica. */
final class LocalRound {
    private LocalRound() {
    }

    static Iterator<WorkerResult> run(int partition, Iterator<PartitionData> data, Snapshot s, WorkerSetup setup,
            RoundConfig cfg, String runId, DeltaInterceptor interceptor) {
        if (!data.hasNext()) {
            throw new IllegalStateException("partition " + partition + " holds no training data");
        }
        PartitionData d = data.next();
        if (data.hasNext()) {
            throw new IllegalStateException("partition " + partition + " holds more than one data block");
        }
        Replica rep = Replica.get(runId, partition, setup, d.batchSize());
        synchronized (rep) {
            return List.of(train(partition, d, s, setup, cfg, rep, interceptor)).iterator();
        }
    }

    private static WorkerResult train(int partition, PartitionData d, Snapshot s, WorkerSetup setup,
            RoundConfig cfg, Replica rep, DeltaInterceptor interceptor) {
        long t0 = System.nanoTime();
        INDArray global = Nd4j.createFromArray(s.params());
        rep.params.flat().assign(global);
        float[] carried = s.states().get(partition);
        rep.state = rep.model.initialState(d.batchSize(), DataType.FLOAT);
        if (carried != null) {
            rep.state.stack().fromVector(carried);
        }
        switch (cfg.innerState()) {
            case RESET -> rep.optimizer.reset();
            case AVERAGE -> loadInner(rep, s);
            case KEEP -> { }
        }
        int h = cfg.localSteps();
        rep.trainer.setStepCount(s.round() * h);
        rep.trainer.setLearningRateScale(s.lrScale());
        double lossSum = 0;
        long count = 0;
        int clipped = 0;
        int skipped = 0;
        double normSum = 0;
        for (int j = 0; j < h; j++) {
            long step = s.round() * h + j;
            if (d.startsSequence(step)) {
                rep.state = rep.model.initialState(d.batchSize(), DataType.FLOAT);
            }
            StepReport r = rep.trainer.step(d.batch(step), rep.state);
            if (r.skipped()) {
                skipped++;
            } else {
                lossSum += r.lossSum();
                count += r.count();
                normSum += r.gradNormBefore();
            }
            clipped += r.clipped() ? 1 : 0;
        }
        float[] delta = rep.params.flat().sub(global).data().asFloat();
        interceptor.intercept(s.round(), partition, delta);
        Map<String, float[]> inner = null;
        if (cfg.innerState() == InnerStatePolicy.AVERAGE) {
            inner = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> e : rep.optimizer.state().entrySet()) {
                inner.put(e.getKey(), e.getValue().castTo(DataType.FLOAT).data().asFloat());
            }
        }
        return new WorkerResult(partition, delta, count, lossSum, clipped, skipped, normSum, h,
                rep.state.stack().toVector(), inner, rep.optimizer.stepCount(), (System.nanoTime() - t0) / 1e9);
    }

    private static void loadInner(Replica rep, Snapshot s) {
        if (s.innerState() == null) {
            rep.optimizer.reset();
            return;
        }
        Map<String, INDArray> st = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : s.innerState().entrySet()) {
            st.put(e.getKey(), Nd4j.createFromArray(e.getValue()));
        }
        rep.optimizer.loadState(st, s.innerSteps());
    }
}
