package io.sparkrnn.driver.round;

import io.sparkrnn.engine.optim.Optimizer;
import io.sparkrnn.engine.tensor.BlasKernels;
import io.sparkrnn.engine.train.LocalTrainer;
import io.sparkrnn.engine.train.StepReport;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The task body of a round: H local inner steps on one partition's replica (truncated BPTT or pairs). */
final class LocalRound {
    private LocalRound() {
    }

    static Iterator<WorkerResult> run(int partition, Iterator<? extends TrainingPartition<?>> data,
            Broadcast<Snapshot> snapshot, ReplicaSetup setup, RoundConfig cfg, String runId,
            DeltaInterceptor interceptor) {
        long start = System.nanoTime();
        TrainingPartition<?> d = single(partition, data);
        return List.of(train(partition, d, snapshot.value(), setup, cfg, runId, interceptor, start)).iterator();
    }

    /** The partition's one data block (configuring ND4J first: before an executor's first use of it). */
    static TrainingPartition<?> single(int partition, Iterator<? extends TrainingPartition<?>> data) {
        BlasKernels.configure();
        if (!data.hasNext()) {
            throw new IllegalStateException("partition " + partition + " holds no training data");
        }
        TrainingPartition<?> d = data.next();
        if (data.hasNext()) {
            throw new IllegalStateException("partition " + partition + " holds more than one data block");
        }
        return d;
    }

    /**
     * One round of {@code partition} on its cached replica (built on first use in this JVM) from snapshot
     * {@code s}; {@code start} is when the task began to handle the round (its load time counts from there).
     */
    static WorkerResult train(int partition, TrainingPartition<?> d, Snapshot s, ReplicaSetup setup, RoundConfig cfg,
            String runId, DeltaInterceptor interceptor, long start) {
        while (true) {
            Replica rep = Replica.get(runId, partition, setup, d.batchSize());
            synchronized (rep) {
                if (!rep.closed) {
                    return train(partition, d, s, cfg, rep, interceptor, start);
                }
            }
        }
    }

    /**
     * Loads the snapshot's parameters, runs the H inner steps and returns delta = local - global. The result's
     * seconds are the inner steps alone: loading the parameters and state before them (from {@code start}, the
     * task body's start) and extracting the delta after them belong to the snapshot's way out and the aggregation,
     * i.e. to the time outside local training, and are returned apart.
     * With policy KEEP the replica continues from its own inner state only when that state carries the label
     * the snapshot names; otherwise from the state the snapshot sends, and when the snapshot sends none the
     * task trains nothing and returns a stale result.
     */
    private static WorkerResult train(int partition, TrainingPartition<?> d, Snapshot s, RoundConfig cfg, Replica rep,
            DeltaInterceptor interceptor, long start) {
        LocalTrainer t = rep.trainer;
        float[] global = s.params();
        if (global.length != t.params().flat().length()) {
            throw new IllegalStateException("the driver sent " + global.length + " parameters, the replica of "
                    + "partition " + partition + " has " + t.params().flat().length());
        }
        if (cfg.innerState() == InnerStatePolicy.KEEP) {
            if (s.kept() != null) {
                loadKept(t.optimizer(), s.kept().get(partition));
            } else if (rep.keptRound != s.keptRound()) {
                return WorkerResult.stale(partition, global.length);
            }
            rep.keptRound = -1; // mid-round: the state belongs to no round until the steps are done
        }
        floats(t.params().flat()).put(global);
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
        long t0 = System.nanoTime();
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
        long t1 = System.nanoTime();
        double seconds = (t1 - t0) / 1e9;
        float[] delta = new float[global.length];
        floats(t.params().flat()).get(delta);
        for (int i = 0; i < delta.length; i++) {
            delta[i] -= global[i];
        }
        interceptor.intercept(s.round(), partition, delta);
        Map<String, float[]> inner = null;
        if (cfg.innerState() == InnerStatePolicy.AVERAGE) {
            inner = t.optimizer().stateFloats();
        }
        KeptState kept = null;
        if (cfg.innerState() == InnerStatePolicy.KEEP) {
            kept = new KeptState(t.optimizer().stateFloats(), t.optimizer().stepCount());
            rep.keptRound = s.round() + 1;
        }
        return new WorkerResult(partition, delta, count, lossSum, clipped, skipped, normSum, h,
                rep.carriedState(), inner, t.optimizer().stepCount(), kept, false, seconds, (t0 - start) / 1e9,
                (System.nanoTime() - t1) / 1e9);
    }

    /** Loads a partition's kept state; null (the driver holds none for it: no accepted round yet) is fresh. */
    private static void loadKept(Optimizer optimizer, KeptState k) {
        if (k == null) {
            optimizer.reset();
            return;
        }
        optimizer.loadStateFloats(k.vectors(), k.steps());
    }

    /**
     * The elements of a contiguous float32 vector as a buffer over its native memory: the parameters are copied
     * in and out in bulk, without a temporary array on either side.
     */
    static FloatBuffer floats(INDArray flat) {
        if (flat.dataType() != DataType.FLOAT || flat.rank() != 1 || flat.elementWiseStride() != 1) {
            throw new IllegalStateException("the replica's parameters must be a contiguous float32 vector, found "
                    + flat.dataType() + " " + java.util.Arrays.toString(flat.shape()));
        }
        FloatBuffer b = flat.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        int from = (int) flat.offset();
        return b.position(from).limit(from + (int) flat.length()).slice();
    }

    private static void loadInner(Optimizer optimizer, Snapshot s) {
        if (s.innerState() == null) {
            optimizer.reset();
            return;
        }
        optimizer.loadStateFloats(s.innerState(), s.innerSteps());
    }
}
