package io.sparkrnn.bench;

import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;

/**
 * Spark's own timing of a round's tasks (milliseconds, the driver's clock for launch and finish): how long after the
 * job's submission the first task was launched, and for the slowest-finishing task the time its executor spent
 * deserialising it and serialising its result, and the time from the end of its run to its result being handled on
 * the driver (sending and deserialising the result). Counts accumulate between {@link #take} calls.
 */
final class RoundTasks extends SparkListener {
    /**
     * One round's figures in seconds: launch = first task launch less the job's submission; deserialize and
     * serialize = the largest over the tasks of the executor's task deserialisation and result serialisation;
     * fetch = the largest over the tasks of (finish - launch - deserialise - run - serialise), the result's way to
     * the driver and its deserialisation there.
     */
    record Times(double launch, double deserialize, double serialize, double fetch) {
        static final Times NONE = new Times(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    private long jobStart = -1;
    private long firstLaunch = Long.MAX_VALUE;
    private long deserialize;
    private long serialize;
    private long fetch;

    static RoundTasks on(SparkContext sc) {
        RoundTasks t = new RoundTasks();
        sc.addSparkListener(t);
        return t;
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart start) {
        if (jobStart < 0) {
            jobStart = start.time();
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        TaskMetrics m = end.taskMetrics();
        TaskInfo i = end.taskInfo();
        if (m == null || i == null) {
            return;
        }
        firstLaunch = Math.min(firstLaunch, i.launchTime());
        deserialize = Math.max(deserialize, m.executorDeserializeTime());
        serialize = Math.max(serialize, m.resultSerializationTime());
        fetch = Math.max(fetch, i.finishTime() - i.launchTime() - m.executorDeserializeTime() - m.executorRunTime()
                - m.resultSerializationTime());
    }

    /** The figures since the last call (after every event so far has been delivered), and a fresh start. */
    Times take(SparkContext sc) {
        try {
            sc.listenerBus().waitUntilEmpty();
        } catch (TimeoutException e) {
            throw new IllegalStateException("Spark's listener bus did not deliver its events in time", e);
        }
        synchronized (this) {
            Times t = jobStart < 0 || firstLaunch == Long.MAX_VALUE ? Times.NONE
                    : new Times((firstLaunch - jobStart) / 1e3, deserialize / 1e3, serialize / 1e3, fetch / 1e3);
            jobStart = -1;
            firstLaunch = Long.MAX_VALUE;
            deserialize = 0;
            serialize = 0;
            fetch = 0;
            return t;
        }
    }
}
