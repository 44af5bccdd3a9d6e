package io.sparkrnn.driver.round;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private long round;
    private double lrScale = 1.0;
    private int rejectionsInRow;
    private int rejections;

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
    }

    /** Installs a fault-injection hook on the tasks' deltas (tests). */
    public RoundTrainer withDeltaInterceptor(DeltaInterceptor i) {
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
     */
    public record State(long round, float[] params, double[] outerMomentum, double lrScale, int rejectionsInRow,
            int rejections, Map<Integer, float[]> states, Map<String, float[]> innerState, long innerSteps) {
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
        return new State(round, params.clone(), outer.momentum(), lrScale, rejectionsInRow, rejections, st, inner,
                innerSteps);
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
        Snapshot snap = new Snapshot(round, params, lrScale, states, innerState, innerSteps);
        Broadcast<Snapshot> b = sc.broadcast(snap);
        Partial total;
        try {
            total = aggregate(data, b);
        } finally {
            b.destroy();
        }
        long partitions = data.getNumPartitions();
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
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long stepsPerPartition = (round + 1) * cfg.localSteps();
        RoundMetrics m = new RoundMetrics(round, epochOf(data, stepsPerPartition), total.tokens,
                total.tokens == 0 ? Double.NaN : total.lossSum / total.tokens, total.tokens / seconds, norm, after,
                clipped, rejected, rejections, total.clippedSteps, total.maxSeconds, seconds, lrScale);
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
        LOG.warn("round {}: averaged delta is not finite ({} tokens); parameters unchanged, inner learning rate "
                + "scaled to {} ({} rejected in a row)", round + 1, total.tokens, lrScale, rejectionsInRow);
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

    /**
     * The ordered sum of the round's results, of which the driver receives at most {@value #DRIVER_RESULTS} float
     * deltas or one double partial sum (8 bytes per parameter), whatever the partition count. Two partitions send
     * their results to the driver; more are summed in a tree of tasks, {@code aggregationFanIn} results or partials
     * per task, level by level until one partial is left. The grouping, and so every sum, is the same as summing
     * the top level on the driver: a task's {@link Partial#sumOrdered} of results equals the driver's, bit for bit.
     */
    private Partial aggregate(JavaRDD<? extends TrainingPartition<?>> data, Broadcast<Snapshot> b) {
        ReplicaSetup ws = setup;
        RoundConfig rc = cfg;
        String id = runId;
        DeltaInterceptor ic = interceptor;
        JavaRDD<WorkerResult> results = data.mapPartitionsWithIndex(
                (idx, it) -> LocalRound.run(idx, it, b.value(), ws, rc, id, ic), true);
        int groups = data.getNumPartitions();
        if (groups <= DRIVER_RESULTS) {
            // Tasks return their float results and the driver sums them weighted, in partition order, into one
            // double accumulator: no shuffle, and no more bytes than one double partial.
            return Partial.sumOrdered(results.collect());
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
        return level.collect().get(0);
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

    @Override
    public void close() {
        Replica.release(runId);
    }
}
