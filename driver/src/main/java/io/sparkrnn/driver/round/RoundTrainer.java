package io.sparkrnn.driver.round;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The driver's round loop (docs/architecture.md). Each round broadcasts the global parameters; one task per
 * partition runs H local inner steps on its cached replica (truncated-BPTT windows of a sequence model, or
 * batches of pairs of an encoder-decoder model, as the {@link ReplicaSetup} says) and returns its delta; the deltas are
 * summed weighted by tokens in partition order (a tree of ordered partial sums in tasks, so the result does not
 * depend on which task finishes first and the driver receives one partial sum whatever the partition count),
 * divided by the tokens, and then:
 * <ol>
 *   <li>a non-finite average rejects the round: parameters unchanged, inner learning rate backed off;
 *       {@code maxRejections} in a row stop the job;</li>
 *   <li>the average is clipped by its global L2 norm;</li>
 *   <li>the outer optimizer applies it.</li>
 * </ol>
 * With H = 1, inner SGD, no local clipping and the plain outer step with lr 1 this is synchronous data-parallel
 * SGD on the concatenated batch, with global gradient clipping at {@code clipNorm / lr}.
 *
 * <p>Policy KEEP: each task also returns its partition's inner optimizer state, and the driver's copy after the
 * last accepted round is the authority ({@link State#kept}, in checkpoints). The executors' replicas continue from
 * their own copy when it is labelled with that round, so in the usual round nothing is sent back; after a resume
 * or a rejected round the snapshot sends every partition its state, and when a task finds its replica holding
 * another round's state (its partition moved, its executor was lost, a task was retried) the round is run again
 * with the states sent. Either way every round starts from exactly the state an uninterrupted run has.
 *
 * <p>Round tasks ({@link RoundTaskMode}): per round, each round is a Spark job and the snapshot a broadcast; resident,
 * the tasks of one job serve round after round through a {@link ResidentSession}, the same task body on the same
 * replicas with the same snapshot, so the results, and every sum, are the same bit for bit. The session ends when
 * another job of the application starts (a listener sees it: the tasks hold the cores that job needs), when the data
 * changes, and at {@link #close}; the next round starts a new one. A round whose session breaks (a task or its
 * executor lost) runs as its own job; a session that cannot start turns resident tasks off for the rest of the run.
 */
public final class RoundTrainer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoundTrainer.class);
    /** Partition counts up to which the tasks' float results go straight to the driver. */
    public static final int DRIVER_RESULTS = 2;

    private final JavaSparkContext sc;
    private final ReplicaSetup setup;
    private final RoundConfig cfg;
    private final String runId = UUID.randomUUID().toString();
    private final float[] params;
    private final OuterOptimizer outer;
    private DeltaInterceptor interceptor = DeltaInterceptor.NONE;
    private Map<Integer, float[]> states = new HashMap<>();
    private Map<String, float[]> innerState;
    private long innerSteps;
    private Map<Integer, KeptState> kept;
    private long keptRound;
    private boolean sendKept;
    private JavaRDD<? extends TrainingPartition<?>> lastData;
    private long round;
    private double lrScale = 1.0;
    private int rejectionsInRow;
    private int rejections;
    /** The rounds in resident tasks ({@link RoundTaskMode}), when the mode and the cluster allow them. */
    private final ResidentRounds resident;
    /**
     * @param setup         how each task builds its replica (the model and its inner training settings); the
     *                      data passed to {@link #round} must give the batches that setup's model trains on
     * @param initialParams the global parameters before round 1, in the model's layout
     */
    public RoundTrainer(JavaSparkContext sc, ReplicaSetup setup, RoundConfig cfg, float[] initialParams) {
        if (initialParams.length != setup.parameterCount()) {
            throw new IllegalArgumentException("initial parameters have " + initialParams.length + " values, the "
                    + "model of the setup " + setup.parameterCount());
        }
        this.sc = sc;
        this.setup = setup;
        this.cfg = cfg;
        this.params = initialParams.clone();
        this.outer = new OuterOptimizer(cfg.outer(), params.length);
        this.kept = cfg.innerState() == InnerStatePolicy.KEEP ? new TreeMap<>() : null;
        this.resident = new ResidentRounds(sc, setup, cfg, runId);
    }

    /** Installs a fault-injection hook on the tasks' deltas (tests). */
    public RoundTrainer withDeltaInterceptor(DeltaInterceptor i) {
        resident.end(); // its tasks carry the old hook
        this.interceptor = i;
        return this;
    }

    /** The current global parameters (a copy). */
    public float[] params() {
        return params.clone();
    }

    /**
     * Everything the driver holds between rounds, for checkpoints: with it a new trainer continues exactly
     * where this one stopped (same parameters, outer momentum, carried recurrent states, averaged inner state,
     * learning-rate back-off and counters).
     *
     * @param states     each partition's recurrent state after the last accepted round
     * @param innerState averaged inner optimizer state (policy AVERAGE), or null
     * @param kept       each partition's inner optimizer state after the last accepted round (policy KEEP; a
     *                   partition absent from it has taken no accepted round and starts fresh), or null
     */
    public record State(long round, float[] params, double[] outerMomentum, double lrScale, int rejectionsInRow,
            int rejections, Map<Integer, float[]> states, Map<String, float[]> innerState, long innerSteps,
            Map<Integer, KeptState> kept) {

        /** A state without kept inner state (policies RESET and AVERAGE). */
        public State(long round, float[] params, double[] outerMomentum, double lrScale, int rejectionsInRow,
                int rejections, Map<Integer, float[]> states, Map<String, float[]> innerState, long innerSteps) {
            this(round, params, outerMomentum, lrScale, rejectionsInRow, rejections, states, innerState, innerSteps,
                    null);
        }
    }

    /** A copy of the driver-side training state. */
    public State state() {
        Map<Integer, float[]> st = new java.util.TreeMap<>();
        states.forEach((k, v) -> st.put(k, v.clone()));
        Map<String, float[]> inner = null;
        if (innerState != null) {
            inner = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : innerState.entrySet()) {
                inner.put(e.getKey(), e.getValue().clone());
            }
        }
        Map<Integer, KeptState> k = null;
        if (kept != null) {
            k = new TreeMap<>();
            for (Map.Entry<Integer, KeptState> e : kept.entrySet()) {
                Map<String, float[]> v = new LinkedHashMap<>();
                e.getValue().vectors().forEach((name, x) -> v.put(name, x.clone()));
                k.put(e.getKey(), new KeptState(v, e.getValue().steps()));
            }
        }
        return new State(round, params.clone(), outer.momentum(), lrScale, rejectionsInRow, rejections, st, inner,
                innerSteps, k);
    }

    /** Continues from {@code s} (taken from a trainer of the same setup and config). */
    public void restore(State s) {
        if (s.params().length != params.length) {
            throw new IllegalArgumentException("checkpoint has " + s.params().length + " parameters, the model "
                    + params.length);
        }
        System.arraycopy(s.params(), 0, params, 0, params.length);
        if (s.outerMomentum() != null) {
            outer.setMomentum(s.outerMomentum());
        }
        round = s.round();
        lrScale = s.lrScale();
        rejectionsInRow = s.rejectionsInRow();
        rejections = s.rejections();
        states = new HashMap<>(s.states());
        innerState = s.innerState() == null ? null : new LinkedHashMap<>(s.innerState());
        innerSteps = s.innerSteps();
        if (cfg.innerState() == InnerStatePolicy.KEEP) {
            if (s.kept() == null && s.round() > 0) {
                LOG.warn("the restored state holds no kept inner optimizer state (train.inner-state = keep): every "
                        + "partition restarts its inner optimizer state fresh at round {}, so this run will differ "
                        + "from one that was not interrupted", s.round() + 1);
            }
            kept = s.kept() == null ? new TreeMap<>() : new TreeMap<>(s.kept());
            // this run's replicas hold no state yet: the first round sends each partition its own
            keptRound = s.round();
            sendKept = true;
        }
    }

    /** Rounds completed (accepted or rejected). */
    public long round() {
        return round;
    }

    /** Runs {@code rounds} rounds, calling {@code listener} after each. */
    public List<RoundMetrics> train(JavaRDD<? extends TrainingPartition<?>> data, long rounds,
            Consumer<RoundMetrics> listener) {
        List<RoundMetrics> all = new ArrayList<>();
        long end = round + rounds;
        while (round < end) {
            RoundMetrics m = round(data, end);
            all.add(m);
            listener.accept(m);
        }
        return all;
    }

    /** One round; {@code totalRounds} only names the round in the Spark UI ("round 12/200"). */
    public RoundMetrics round(JavaRDD<? extends TrainingPartition<?>> data, long totalRounds) {
        long t0 = System.nanoTime();
        sc.setJobDescription("spark-rnn round " + (round + 1) + "/" + totalRounds);
        lastData = data;
        long stepsPerPartition = (round + 1) * cfg.localSteps();
        double epoch = epochOf(data, stepsPerPartition); // a job in the first round: before resident tasks start
        Clock clock = new Clock();
        Partial total = aggregate(data, snapshot(sendKept), clock);
        if (!total.stale.isEmpty()) {
            // Only KEEP returns stale results, and only when the driver did not send the states.
            LOG.warn("round {}: the executors of partition(s) {} do not hold their kept inner state of round {} "
                    + "(a partition moved, an executor was lost or a task was retried); running the round again "
                    + "with every partition's state sent ({} bytes)", round + 1, total.stale, keptRound,
                    keptBytes());
            sc.setJobDescription("spark-rnn round " + (round + 1) + "/" + totalRounds + " (kept state sent)");
            total = aggregate(data, snapshot(true), clock);
            if (!total.stale.isEmpty()) {
                throw new IllegalStateException("round " + (round + 1) + ": partition(s) " + total.stale
                        + " returned no delta although the driver sent their kept state");
            }
        }
        long applyStart = System.nanoTime();
        double[] avg = total.weighted;
        double norm = Double.NaN;
        double after = Double.NaN;
        boolean clipped = false;
        boolean rejected = total.tokens == 0 || !allFinite(avg);
        if (!rejected) {
            double tokens = total.tokens;
            double sq = 0;
            for (int i = 0; i < avg.length; i++) {
                avg[i] /= tokens;
                sq += avg[i] * avg[i];
            }
            norm = Math.sqrt(sq);
            after = norm;
            rejected = !Double.isFinite(norm);
        }
        if (rejected) {
            reject(total);
        } else {
            rejectionsInRow = 0;
            if (norm > cfg.clipNorm()) {
                double scale = cfg.clipNorm() / norm;
                for (int i = 0; i < avg.length; i++) {
                    avg[i] *= scale;
                }
                after = cfg.clipNorm();
                clipped = true;
                LOG.info("round {}: averaged delta norm {} clipped to {}", round + 1, norm, cfg.clipNorm());
            }
            outer.step(params, avg);
            states = new HashMap<>(total.states);
            if (cfg.innerState() == InnerStatePolicy.AVERAGE) {
                innerState = averageInner(total);
                innerSteps = total.innerSteps;
            }
            if (cfg.innerState() == InnerStatePolicy.KEEP) {
                if (keptRound == 0 || sendKept) {
                    LOG.info("round {}: inner-state keep: the tasks returned {} bytes of inner optimizer state "
                            + "with their deltas ({} partitions)", round + 1, stateBytes(total.kept),
                            total.kept.size());
                }
                kept = new TreeMap<>(total.kept);
                keptRound = round + 1;
                sendKept = false;
            }
        }
        long t1 = System.nanoTime();
        double seconds = (t1 - t0) / 1e9;
        RoundMetrics.Phases phases = new RoundMetrics.Phases(clock.broadcast, clock.job, total.maxLoadSeconds,
                total.maxExtractSeconds, clock.sum, (t1 - applyStart) / 1e9, clock.release);
        RoundMetrics m = new RoundMetrics(round, epoch, total.tokens,
                total.tokens == 0 ? Double.NaN : total.lossSum / total.tokens, total.tokens / seconds, norm, after,
                clipped, rejected, rejections, total.clippedSteps, total.maxSeconds, seconds, lrScale, phases);
        round++;
        if (rejectionsInRow >= cfg.maxRejections()) {
            throw new IllegalStateException("training diverged: " + rejectionsInRow + " rounds in a row (last: round "
                    + round + ") produced a non-finite averaged delta; the parameters are those after round "
                    + (round - rejectionsInRow) + ". Lower the learning rate or clip harder.");
        }
        return m;
    }

    private double epochOf(JavaRDD<? extends TrainingPartition<?>> data, long steps) {
        if (batchesPerEpoch < 0) {
            batchesPerEpoch = data.map(TrainingPartition::batchesPerEpoch).reduce(Math::min);
        }
        return (double) steps / batchesPerEpoch;
    }

    private long batchesPerEpoch = -1;

    private void reject(Partial total) {
        rejectionsInRow++;
        rejections++;
        lrScale *= cfg.rejectBackoff();
        // The replicas have stepped past the kept state of the last accepted round: the next round sends it.
        sendKept = kept != null;
        LOG.warn("round {}: averaged delta is not finite ({} tokens); parameters unchanged, inner learning rate "
                + "scaled to {} ({} rejected in a row)", round + 1, total.tokens, lrScale, rejectionsInRow);
    }

    private Snapshot snapshot(boolean withKept) {
        return new Snapshot(round, params, lrScale, states, innerState, innerSteps, keptRound,
                withKept ? kept : null);
    }

    /** Bytes of the kept inner states the driver holds (policy KEEP), i.e. what sending them broadcasts. */
    long keptBytes() {
        return kept == null ? 0 : stateBytes(kept);
    }

    private static long stateBytes(Map<Integer, KeptState> states) {
        long n = 0;
        for (KeptState k : states.values()) {
            n += k.bytes();
        }
        return n;
    }

    private Map<String, float[]> averageInner(Partial total) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : total.innerWeighted.entrySet()) {
            double[] v = e.getValue();
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) (v[i] / total.tokens);
            }
            out.put(e.getKey(), f);
        }
        return out;
    }

    /** The driver's seconds in each step of a round (summed when the round runs again). */
    static final class Clock {
        double broadcast;
        double job;
        double sum;
        double release;
    }

    private Partial aggregate(JavaRDD<? extends TrainingPartition<?>> data, Snapshot snap, Clock clock) {
        Partial inResident = resident.round(data, snap, interceptor, clock);
        if (inResident != null) {
            return inResident;
        }
        long t0 = System.nanoTime();
        Broadcast<Snapshot> b = sc.broadcast(snap);
        clock.broadcast += (System.nanoTime() - t0) / 1e9;
        try {
            return aggregate(data, b, clock);
        } finally {
            long t1 = System.nanoTime();
            b.destroy();
            clock.release += (System.nanoTime() - t1) / 1e9;
        }
    }

    /**
     * The ordered sum of the round's results, of which the driver receives at most {@value #DRIVER_RESULTS} float
     * deltas or one double partial sum (8 bytes per parameter), whatever the partition count. Two partitions send
     * their results to the driver; more are summed in a tree of tasks, {@code aggregationFanIn} results or partials
     * per task, level by level until one partial is left. The grouping, and so every sum, is the same as summing
     * the top level on the driver: a task's {@link Partial#sumOrdered} of results equals the driver's, bit for bit.
     */
    private Partial aggregate(JavaRDD<? extends TrainingPartition<?>> data, Broadcast<Snapshot> b, Clock clock) {
        ReplicaSetup ws = setup;
        RoundConfig rc = cfg;
        String id = runId;
        DeltaInterceptor ic = interceptor;
        JavaRDD<WorkerResult> results = data.mapPartitionsWithIndex(
                (idx, it) -> LocalRound.run(idx, it, b, ws, rc, id, ic), true);
        int groups = data.getNumPartitions();
        if (groups <= DRIVER_RESULTS) {
            // Tasks return their float results and the driver sums them weighted, in partition order, into one
            // double accumulator: no shuffle, and no more bytes than one double partial.
            long t0 = System.nanoTime();
            List<WorkerResult> collected = results.collect();
            long t1 = System.nanoTime();
            Partial total = Partial.sumOrdered(collected);
            clock.job += (t1 - t0) / 1e9;
            clock.sum += (System.nanoTime() - t1) / 1e9;
            return total;
        }
        int fanIn = cfg.aggregationFanIn();
        // First level: float results (half the bytes of double partials), the same sums as partials of each.
        groups = (groups + fanIn - 1) / fanIn;
        JavaRDD<Partial> level = results.mapToPair(r -> new Tuple2<>(r.partition() / fanIn, r))
                .groupByKey(groups).map(g -> Partial.sumOrdered(toList(g._2())));
        int width = fanIn;
        while (groups > 1) {
            width *= fanIn;
            int w = width;
            groups = (groups + fanIn - 1) / fanIn;
            JavaPairRDD<Integer, Partial> keyed = level.mapToPair(p -> new Tuple2<>(p.first / w, p));
            level = keyed.groupByKey(groups).map(g -> Partial.mergeOrdered(toList(g._2())));
        }
        long t0 = System.nanoTime();
        Partial total = level.collect().get(0);
        clock.job += (System.nanoTime() - t0) / 1e9;
        return total;
    }

    /** Resident sessions started (or tried) so far (tests). */
    int sessionsStarted() {
        return resident.sessionsStarted();
    }

    /** Why resident tasks are off for the rest of this run, or null (tests). */
    String residentOff() {
        return resident.off();
    }

    /** The port the current resident session listens on, or -1 (tests). */
    int residentPort() {
        return resident.port();
    }

    private static <T> List<T> toList(Iterable<T> it) {
        List<T> l = new ArrayList<>();
        it.forEach(l::add);
        return l;
    }

    private static boolean allFinite(double[] v) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Frees this run's replicas and their engine threads: in this JVM (the executor in local mode) and, with a
     * small job over the training data's partitions (cached where the rounds ran them), on the executors.
     */
    @Override
    public void close() {
        resident.close();
        releaseOnExecutors();
        Replica.release(runId);
    }

    /** The job of {@link #close} that frees the replicas on the executors (a no-op before the first round). */
    void releaseOnExecutors() {
        if (lastData != null && !sc.sc().isStopped()) {
            String id = runId;
            sc.setJobDescription("spark-rnn release replicas");
            try {
                lastData.foreachPartition(it -> Replica.release(id));
            } catch (RuntimeException e) {
                LOG.warn("could not free the replicas on the executors ({}); they are freed when the executors "
                        + "exit", e.toString());
            }
        }
    }

    /** Replicas of this run alive in this JVM (tests, local mode). */
    int liveReplicas() {
        return Replica.live(runId);
    }

    /** The run's id, which keys its replicas on the executors. */
    String runId() {
        return runId;
    }
}
