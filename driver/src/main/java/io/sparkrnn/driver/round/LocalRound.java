package io.sparkrnn.driver.round;

import io.sparkrnn.engine.optim.Optimizer;
import io.sparkrnn.engine.train.LocalTrainer;
import io.sparkrnn.engine.train.StepReport;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The task body of a round: H local inner steps on one partition's replica (truncated BPTT or pairs). */
final class LocalRound {
    private LocalRound() {
    }

    static Iterator<WorkerResult> run(int partition, Iterator<? extends TrainingPartition<?>> data, Snapshot s,
            ReplicaSetup setup, RoundConfig cfg, String runId, DeltaInterceptor interceptor) {
        if (!data.hasNext()) {
            throw new IllegalStateException("partition " + partition + " holds no training data");
        }
        TrainingPartition<?> d = data.next();
        if (data.hasNext()) {
            throw new IllegalStateException("partition " + partition + " holds more than one data block");
        }
        Replica rep = Replica.get(runId, partition, setup, d.batchSize());
        synchronized (rep) {
            return List.of(train(partition, d, s, cfg, rep, interceptor)).iterator();
        }
    }

    private static WorkerResult train(int partition, TrainingPartition<?> d, Snapshot s, RoundConfig cfg, Replica rep,
            DeltaInterceptor interceptor) {
        long t0 = System.nanoTime();
        INDArray global = Nd4j.createFromArray(s.params());
        LocalTrainer t = rep.trainer;
        t.params().flat().assign(global);
        rep.startRound(s.states().get(partition), d.batchSize());
        switch (cfg.innerState()) {
            case RESET -> t.optimizer().reset();
            case AVERAGE -> loadInner(t.optimizer(), s);
            case KEEP -> { }
        }
        int h = cfg.localSteps();
        t.setStepCount(s.round() * h);
        t.setLearningRateScale(s.lrScale());
        double lossSum = 0;
        long count = 0;
        int clipped = 0;
        int skipped = 0;
        double normSum = 0;
        for (int j = 0; j < h; j++) {
            StepReport r = rep.step(d, s.round() * h + j);
            if (r.skipped()) {
                skipped++;
            } else {
                lossSum += r.lossSum();
                count += r.count();
                normSum += r.gradNormBefore();
            }
            clipped += r.clipped() ? 1 : 0;
        }
        float[] delta = t.params().flat().sub(global).data().asFloat();
        interceptor.intercept(s.round(), partition, delta);
        Map<String, float[]> inner = null;
        if (cfg.innerState() == InnerStatePolicy.AVERAGE) {
            inner = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> e : t.optimizer().state().entrySet()) {
                inner.put(e.getKey(), e.getValue().castTo(DataType.FLOAT).data().asFloat());
            }
        }
        return new WorkerResult(partition, delta, count, lossSum, clipped, skipped, normSum, h,
                rep.carriedState(), inner, t.optimizer().stepCount(), (System.nanoTime() - t0) / 1e9);
    }

    private static void loadInner(Optimizer optimizer, Snapshot s) {
        if (s.innerState() == null) {
            optimizer.reset();
            return;
        }
        Map<String, INDArray> st = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : s.innerState().entrySet()) {
            st.put(e.getKey(), Nd4j.createFromArray(e.getValue()));
        }
        optimizer.loadState(st, s.innerSteps());
    }
}
