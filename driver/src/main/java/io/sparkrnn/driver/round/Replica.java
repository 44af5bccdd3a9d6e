package io.sparkrnn.driver.round;

import io.sparkrnn.engine.train.LocalTrainer;
import io.sparkrnn.engine.train.StepReport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A partition's local model on an executor, built once per run and partition and reused every round
 * (reloaded from each round's snapshot, never rebuilt from the config). The family of the setup's model
 * chooses the subclass: {@link SequenceReplica} (truncated BPTT, recurrent state carried between batches) or
 * {@link Seq2SeqReplica} (independent pairs); {@link LocalRound} drives both through this class.
 *
 * <p>The cache is keyed by run (a random id per {@link RoundTrainer}) and partition, and a replica's kept inner
 * state (policy KEEP) carries the label of the round it is from ({@link #keptRound}): a task uses it only when
 * the label is the one the driver's snapshot names, so another run's replica is never found and a replica left
 * behind by a partition that moved, a rejected round or a retried task is never trained on. Callers hold the
 * replica's monitor while they use it and skip a {@link #closed} one.
 */
abstract sealed class Replica permits SequenceReplica, Seq2SeqReplica {
    private static final Map<String, Replica> CACHE = new ConcurrentHashMap<>();

    final LocalTrainer trainer;
    /** Label of the inner optimizer state this replica holds: rounds completed when it was taken (0 = fresh). */
    long keptRound;
    /** Released: its trainer is closed and it is no longer in the cache. */
    boolean closed;

    Replica(LocalTrainer trainer) {
        this.trainer = trainer;
    }

    /**
     * Prepares the state carried between batches for a round: {@code carried} is this partition's state after
     * the previous accepted round, or null for a fresh one.
     */
    abstract void startRound(float[] carried, int batchSize);

    /** One inner step on the batch at position {@code step} of {@code data}. */
    abstract StepReport step(TrainingPartition<?> data, long step);

    /** The state to carry into the next round, or null when the model carries none. */
    abstract float[] carriedState();

    /** The replica of {@code partition} in run {@code runId}, built on first use in this JVM. */
    static Replica get(String runId, int partition, ReplicaSetup setup, int batchSize) {
        return CACHE.computeIfAbsent(runId + "/" + partition, k -> build(setup.forPartition(partition), batchSize));
    }

    private static Replica build(ReplicaSetup setup, int batchSize) {
        return setup.spec().match(s -> SequenceReplica.of(s, setup, batchSize), s -> Seq2SeqReplica.of(s, setup));
    }

    /**
     * Drops every replica of a run in this JVM (its end), closing their trainers (which stops their engine
     * threads), each once no task uses it; returns how many.
     */
    static int release(String runId) {
        int n = 0;
        for (Map.Entry<String, Replica> e : CACHE.entrySet()) {
            if (e.getKey().startsWith(runId + "/") && CACHE.remove(e.getKey(), e.getValue())) {
                Replica r = e.getValue();
                synchronized (r) {
                    r.closed = true;
                    r.trainer.close();
                }
                n++;
            }
        }
        return n;
    }

    /** The cached replica of {@code partition} in run {@code runId}, or null (tests). */
    static Replica cached(String runId, int partition) {
        return CACHE.get(runId + "/" + partition);
    }

    /** Replicas of a run alive in this JVM. */
    static int live(String runId) {
        return (int) CACHE.keySet().stream().filter(k -> k.startsWith(runId + "/")).count();
    }

    /** The batch at {@code step} as {@code type}, or an error naming both types. */
    static <B> B batchOf(TrainingPartition<?> data, long step, Class<B> type, String model) {
        Object b = data.batch(step);
        if (!type.isInstance(b)) {
            throw new IllegalArgumentException(model + " trains on " + type.getSimpleName() + "es, but partition data "
                    + data.getClass().getSimpleName() + " gives "
                    + (b == null ? "null" : b.getClass().getSimpleName()));
        }
        return type.cast(b);
    }
}
