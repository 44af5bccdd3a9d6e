package io.sparkrnn.driver.round;

import io.sparkrnn.engine.train.LocalTrainer;
import io.sparkrnn.engine.train.StepReport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A partition's local model on an executor, built once per run and partition and reused every round
 * (reloaded from the broadcast parameters, never rebuilt from the config). The family of the setup's model
 * chooses the subclass: {@link SequenceReplica} (truncated BPTT, recurrent state carried between batches) or
 * {@link Seq2SeqReplica} (independent pairs); {@link LocalRound} drives both through this class.
 */
abstract sealed class Replica permits SequenceReplica, Seq2SeqReplica {
    private static final Map<String, Replica> CACHE = new ConcurrentHashMap<>();

    final LocalTrainer trainer;

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

    /** Drops every replica of a run (its end), closing their trainers (which stops their engine threads). */
    static void release(String runId) {
        CACHE.entrySet().removeIf(e -> {
            if (!e.getKey().startsWith(runId + "/")) {
                return false;
            }
            e.getValue().trainer.close();
            return true;
        });
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
