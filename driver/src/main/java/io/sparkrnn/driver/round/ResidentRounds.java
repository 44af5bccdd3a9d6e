package io.sparkrnn.driver.round;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RoundTrainer}'s rounds in resident tasks ({@link RoundTaskMode}; docs/architecture.md, "Resident round
 * tasks"): whether a round may run in them, the {@link ResidentSession} that serves it (started when none serves the
 * data, ended when another job of the application starts, which a listener sees), and what a broken session leaves:
 * the round runs as its own job, or, when the session's job was cancelled from outside, the training stops.
 */
final class ResidentRounds {
    private static final Logger LOG = LoggerFactory.getLogger(ResidentRounds.class);

    private final JavaSparkContext sc;
    private final ReplicaSetup setup;
    private final RoundConfig cfg;
    private final String runId;
    private volatile ResidentSession session;
    /** The snapshot's frame for resident tasks, its buffer kept from round to round. */
    private final Frame snapshotFrame = new Frame();
    private JavaRDD<? extends TrainingPartition<?>> sessionData;
    private int sessions;
    /** Why resident tasks are off for the rest of this run (their session could not start), or null. */
    private String residentOff;
    /** The slot shortage last logged, so that it is logged when it starts and not every round. */
    private boolean fewSlotsLogged;
    private final SparkListener otherJobs = new SparkListener() {
        @Override
        public void onJobStart(SparkListenerJobStart e) {
            ResidentSession s = session;
            String id = e.properties() == null ? null : e.properties().getProperty(ResidentSession.SESSION_PROPERTY);
            if (s != null && !s.id().equals(id)) {
                s.stop();
            }
        }
    };


    ResidentRounds(JavaSparkContext sc, ReplicaSetup setup, RoundConfig cfg, String runId) {
        this.sc = sc;
        this.setup = setup;
        this.cfg = cfg;
        this.runId = runId;
        sc.sc().addSparkListener(otherJobs);
    }

    /**
     * Runs the round of {@code snap} in resident tasks and returns its sum; null when it is to run as its own job
     * (the mode, the slots or another job say so, a session could not start or broke).
     */
    Partial round(JavaRDD<? extends TrainingPartition<?>> data, Snapshot snap, DeltaInterceptor interceptor,
            RoundTrainer.Clock clock) {
    if (usable(data, snap.round())) {
        try {
            Partial total = inSession(data, snap, interceptor, clock);
            if (total != null) {
                return total;
            }
        } catch (ResidentSession.Broken e) {
            ResidentSession lost = session;
            session = null;
            sessionData = null;
            Throwable cancelled = lost == null ? null : lost.abort();
            if (cancelled != null) {
                throw new IllegalStateException("round " + (snap.round() + 1) + ": the resident round tasks' job "
                        + "was cancelled (" + cancelled.getMessage() + "): training stops", cancelled);
            }
            LOG.warn("round {}: {}; running the round as its own job (the next round starts new resident "
                    + "tasks)", snap.round() + 1, e.getMessage(), e.getCause());
        }
    }
        return null;
    }

    /** Whether this round runs in resident tasks: the mode says so, they are not off, every partition has a slot. */
    private boolean usable(JavaRDD<? extends TrainingPartition<?>> data, long round) {
        int partitions = data.getNumPartitions();
        if (!cfg.tasks().resident(partitions) || residentOff != null) {
            return false;
        }
        int slots = sc.sc().maxNumConcurrentTasks(sc.sc().resourceProfileManager().defaultResourceProfile());
        boolean few = slots < partitions;
        if (few != fewSlotsLogged) {
            if (few) {
                LOG.info("round {}: {} task slot(s) for {} partitions: rounds run as their own jobs until every "
                        + "partition has a slot for a resident task", round + 1, slots, partitions);
            } else {
                LOG.info("round {}: {} task slots for {} partitions: rounds run in resident tasks again", round + 1,
                        slots, partitions);
            }
            fewSlotsLogged = few;
        }
        if (few) {
            end();
        }
        return !few;
    }

    /**
     * One round in the resident tasks, starting them when none serve {@code data}; null when they cannot start now
     * (another job of the application is running: it would wait for their cores) or at all.
     */
    private Partial inSession(JavaRDD<? extends TrainingPartition<?>> data, Snapshot snap,
            DeltaInterceptor interceptor, RoundTrainer.Clock clock) throws ResidentSession.Broken {
        long t0 = System.nanoTime();
        ResidentSession s = session;
        if (s != null && (s.stopped() || sessionData != data)) {
            end();
            s = null;
        }
        if (s == null) {
            if (otherJobsRunning()) {
                return null;
            }
            String id = "spark-rnn-" + runId + "-resident-" + (++sessions);
            try {
                s = ResidentSession.start(sc, id, data, setup, cfg, runId, interceptor);
            } catch (ResidentSession.Broken e) {
                residentOff = e.getMessage();
                LOG.warn("round {}: resident round tasks could not start ({}): every round of this run is its own "
                        + "job (train.round-tasks = per-round does this from the start)", snap.round() + 1,
                        e.getMessage(), e.getCause());
                return null;
            }
            session = s;
            sessionData = data;
        }
        long t1 = System.nanoTime();
        Frame frame = snapshotFrame.encode(snap);
        long t2 = System.nanoTime();
        Partial.InOrder sum = new Partial.InOrder(data.getNumPartitions());
        long[] lastAdd = new long[1];
        s.round(frame, r -> {
            long a = System.nanoTime();
            sum.offer(r);
            lastAdd[0] = System.nanoTime() - a;
        });
        long t3 = System.nanoTime();
        clock.broadcast += (t2 - t1) / 1e9;
        // the sums of results that came before the last one overlapped the tasks still training
        clock.job += ((t1 - t0) + (t3 - t2) - lastAdd[0]) / 1e9;
        clock.sum += lastAdd[0] / 1e9;
        return sum.total();
    }

    /**
     * Whether another job of the application is running (a thread of the user's, say) once the listeners have heard
     * of every job started so far: resident tasks started now would hold the cores it waits for, and the listener
     * that ends them for a new job has already seen it start.
     */
    private boolean otherJobsRunning() {
        try {
            sc.sc().listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            return true;
        }
        return sc.statusTracker().getActiveJobIds().length > 0;
    }

    /** Ends the resident tasks, if any (they free their cores). */
    void end() {
        ResidentSession s = session;
        if (s != null) {
            session = null;
            sessionData = null;
            s.close();
        }
    }

    /** Ends the session and stops listening for other jobs (the trainer's end). */
    void close() {
        end();
        sc.sc().removeSparkListener(otherJobs);
    }

    int sessionsStarted() {
        return sessions;
    }

    String off() {
        return residentOff;
    }

    int port() {
        ResidentSession s = session;
        return s == null ? -1 : s.port();
    }
}
