package io.sparkrnn.bench;

import io.sparkrnn.driver.corpus.lm.StreamPartitions;
import io.sparkrnn.driver.round.RoundMetrics;
import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.engine.model.SequenceBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.stats.EventStats;
import org.deeplearning4j.spark.time.SystemClockTimeSource;
import org.deeplearning4j.spark.time.TimeSourceProvider;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * dl4j-spark's side of {@code bench spark}: {@link ParameterAveragingTrainingMaster} (1.0.0-M2) on
 * {@code local[P]} with the same network as {@link Dl4jStep}, the same partitions of the same stream and the
 * same averaging period: round r is one {@code fit} on an RDD whose partition p holds exactly the batches
 * [r*H, (r+1)*H) of our partition p (the master keeps it as one split, {@code Repartition.Never}, direct
 * approach, one DataSet of B lanes per minibatch). Differences that are DL4J's own: it recreates the network
 * on each worker every round, averages the Adam state with the parameters ({@code saveUpdater}), clips per
 * layer, and starts every minibatch from a zero state (it cannot carry the state across minibatches).
 *
 * <p>Local training time per round = the longest worker's sum of {@code ParameterAveragingWorkerFitTimesMs}
 * (DL4J's own training stats: time inside {@code MultiLayerNetwork.fit} per minibatch).
 */
final class Dl4jSparkRun {
    static final String WORKER_FIT = "ParameterAveragingWorkerFitTimesMs";

    private Dl4jSparkRun() {
    }

    static SparkConf sparkConf(SparkBenchSettings s, String name) {
        return new SparkConf().setAppName(name).setMaster("local[" + s.partitions() + "]")
                .set("spark.ui.enabled", "false")
                .set("spark.executorEnv.OMP_NUM_THREADS", "1");
    }

    static RunLog run(SparkBenchSettings s, CharLmData d) {
        int v = d.vocabulary();
        int h = s.localSteps();
        // Its training stats time events by an NTP clock by default (network access); one JVM needs none.
        System.setProperty(TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY, SystemClockTimeSource.class.getName());
        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(s.partitions(), s.batch())
                .batchSizePerWorker(s.batch())
                .averagingFrequency(h)
                .workerPrefetchNumBatches(0)
                .saveUpdater(true)
                .repartionData(Repartition.Never)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .collectTrainingStats(true)
                .rngSeed(s.seed())
                .build();
        RunLog log = new RunLog();
        try (JavaSparkContext sc = new JavaSparkContext(sparkConf(s, "spark-rnn bench spark (dl4j)"))) {
            sc.setLogLevel("WARN");
            JavaRDD<SequencePartition> data = StreamPartitions.of(sc, d.train(), s.partitions(), s.batch(), s.k());
            data.count();
            SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(sc,
                    Dl4jStep.configuration(v, s.embedding(), "lstm", s.hidden(), s.lr(), s.clip(), s.k(), s.seed()),
                    tm);
            net.setCollectTrainingStats(true);
            for (int r = 1; r <= s.rounds(); r++) {
                long first = (long) (r - 1) * h;
                JavaRDD<DataSet> round = data.mapPartitions(it -> {
                    SequencePartition p = it.next();
                    List<DataSet> out = new ArrayList<>(h);
                    for (int j = 0; j < h; j++) {
                        out.add(toDataSet(p.batch(first + j), v));
                    }
                    return out.iterator();
                }, true);
                long startMs = System.currentTimeMillis();
                double cpu0 = RunLog.processCpuSeconds();
                double gc0 = RunLog.gcSeconds();
                long t0 = System.nanoTime();
                net.fit(round);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double cpu = RunLog.processCpuSeconds() - cpu0;
                double gc = RunLog.gcSeconds() - gc0;
                round.unpersist(false);
                double local = longestWorkerFit(net.getSparkTrainingStats(), startMs);
                double bpc = Double.NaN;
                if (r % s.evalEvery() == 0 || r == s.rounds()) {
                    bpc = StreamEvaluator.bitsPerChar(predictor(net.getNetwork(), s.evalLanes()), d.valid(),
                            s.evalLanes(), s.k(), v);
                }
                log.add(new RunLog.Round(s.tokensPerRound(), seconds, local, cpu, gc, Double.NaN, bpc,
                        RoundMetrics.Phases.NONE, RoundTasks.Times.NONE));
                System.err.printf(Locale.ROOT, "dl4j round %d/%d: %.2fs, local %.2fs, score %.4f%s%n", r, s.rounds(),
                        seconds, local, net.getScore(),
                        Double.isNaN(bpc) ? "" : String.format(Locale.ROOT, "  valid %.4f bits/char", bpc));
            }
        }
        return log;
    }

    /**
     * One of our batches ({@code [T, B]} time-major) as DL4J's: features {@code [B, 1, T]} token ids, labels
     * one-hot {@code [B, V, T]}.
     */
    static DataSet toDataSet(SequenceBatch batch, int vocabulary) {
        int t = batch.steps();
        int b = batch.batchSize();
        int[] in = batch.tokens();
        int[] next = batch.targets();
        float[] ids = new float[b * t];
        float[] labels = new float[b * vocabulary * t];
        for (int s = 0; s < t; s++) {
            for (int lane = 0; lane < b; lane++) {
                ids[lane * t + s] = in[s * b + lane];
                labels[(lane * vocabulary + next[s * b + lane]) * t + s] = 1f;
            }
        }
        return new DataSet(Nd4j.create(ids, new long[] {b, 1, t}, 'c'),
                Nd4j.create(labels, new long[] {b, vocabulary, t}, 'c'));
    }

    /** Seconds of the longest worker (thread) inside {@code fit} in events that started at or after {@code fromMs}. */
    static double longestWorkerFit(SparkTrainingStats stats, long fromMs) {
        Map<String, Long> perWorker = new HashMap<>();
        for (EventStats e : events(stats, WORKER_FIT)) {
            if (e.getStartTime() >= fromMs) {
                perWorker.merge(e.getJvmID() + "/" + e.getThreadID(), e.getDurationMs(), Long::sum);
            }
        }
        if (perWorker.isEmpty()) {
            throw new IllegalStateException("dl4j-spark reported no " + WORKER_FIT + " events for this round");
        }
        return perWorker.values().stream().mapToLong(Long::longValue).max().getAsLong() / 1000.0;
    }

    private static List<EventStats> events(SparkTrainingStats stats, String key) {
        for (SparkTrainingStats st = stats; st != null; st = st.getNestedTrainingStats()) {
            if (st.getKeySet().contains(key)) {
                return st.getValue(key);
            }
        }
        return List.of();
    }

    /** DL4J's own next-token probabilities: {@code rnnTimeStep} carries the state across windows. */
    static StreamEvaluator.NextTokenModel predictor(MultiLayerNetwork net, int lanes) {
        return new StreamEvaluator.NextTokenModel() {
            @Override
            public void reset() {
                net.rnnClearPreviousState();
            }

            @Override
            public float[] probabilities(SequenceBatch w) {
                int t = w.steps();
                int b = w.batchSize();
                float[] ids = new float[b * t];
                for (int s = 0; s < t; s++) {
                    for (int lane = 0; lane < b; lane++) {
                        ids[lane * t + s] = w.tokens()[s * b + lane];
                    }
                }
                INDArray out = net.rnnTimeStep(Nd4j.create(ids, new long[] {b, 1, t}, 'c'));
                int v = (int) out.size(1);
                float[] o = out.castTo(DataType.FLOAT).dup('c').data().asFloat();
                float[] p = new float[t * b * v];
                for (int lane = 0; lane < b; lane++) {
                    for (int c = 0; c < v; c++) {
                        for (int s = 0; s < t; s++) {
                            p[(s * b + lane) * v + c] = o[(lane * v + c) * t + s];
                        }
                    }
                }
                return p;
            }
        };
    }
}
