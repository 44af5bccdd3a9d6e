package io.sparkrnn.bench;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.storage.BlockUpdatedInfo;

/**
 * The bytes a round moves, as Spark's own metrics give them: what the driver receives (the serialized task results,
 * {@link TaskMetrics#resultSize()} of every task), what it broadcasts (the stored pieces of every broadcast: the
 * round's snapshot and the jobs' task closures, uncompressed as {@code RoundSparkConf} sets), and what the tasks
 * shuffle among themselves (the aggregation tree's levels; written bytes). Not counted: each task's own
 * description (its partition and a reference to the broadcast closure, a few KB).
 *
 * <p>Counts accumulate between {@link #take} calls; {@link #take} first waits until Spark's listener bus has
 * delivered every event posted so far.
 */
final class RoundTraffic extends SparkListener {
    /**
     * Bytes and tasks of one round, and the CPU seconds of its tasks (Spark's executor CPU time, deserializing the
     * task included): the training tasks (one per partition, reading no shuffle) and the aggregation tasks, with the
     * deltas or partial sums those took in (shuffle blocks fetched).
     */
    record Bytes(long received, long broadcast, long shuffled, int tasks, double trainCpu, int trainTasks,
            double aggregationCpu, long aggregationInputs) {
    }

    private final Set<String> pieces = new HashSet<>();
    private long received;
    private long broadcast;
    private long shuffled;
    private int tasks;
    private double trainCpu;
    private int trainTasks;
    private double aggregationCpu;
    private long aggregationInputs;

    /** A listener registered on {@code sc}. */
    static RoundTraffic on(SparkContext sc) {
        RoundTraffic t = new RoundTraffic();
        sc.addSparkListener(t);
        return t;
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        TaskMetrics m = end.taskMetrics();
        if (m != null) {
            received += m.resultSize();
            shuffled += m.shuffleWriteMetrics().bytesWritten();
            double cpu = (m.executorCpuTime() + m.executorDeserializeCpuTime()) / 1e9;
            long inputs = m.shuffleReadMetrics().localBlocksFetched() + m.shuffleReadMetrics().remoteBlocksFetched();
            if (inputs > 0) {
                aggregationCpu += cpu;
                aggregationInputs += inputs;
            } else {
                trainCpu += cpu;
                trainTasks++;
            }
        }
        tasks++;
    }

    @Override
    public synchronized void onBlockUpdated(SparkListenerBlockUpdated update) {
        BlockUpdatedInfo b = update.blockUpdatedInfo();
        long size = b.memSize() + b.diskSize();
        // Pieces are written once and removed with the broadcast; a removal reports size 0.
        if (b.blockId().isBroadcast() && b.blockId().name().contains("_piece") && size > 0
                && pieces.add(b.blockManagerId() + "/" + b.blockId().name())) {
            broadcast += size;
        }
    }

    /** The counts since the last call (after every event so far has been delivered), and a fresh start. */
    Bytes take(SparkContext sc) {
        try {
            sc.listenerBus().waitUntilEmpty();
        } catch (TimeoutException e) {
            throw new IllegalStateException("Spark's listener bus did not deliver its events in time", e);
        }
        synchronized (this) {
            Bytes b = new Bytes(received, broadcast, shuffled, tasks, trainCpu, trainTasks, aggregationCpu,
                    aggregationInputs);
            trainCpu = 0;
            trainTasks = 0;
            aggregationCpu = 0;
            aggregationInputs = 0;
            received = 0;
            broadcast = 0;
            shuffled = 0;
            tasks = 0;
            return b;
        }
    }
}
