package io.sparkrnn.bench;

import io.sparkrnn.driver.corpus.lm.CharCorpus;
import io.sparkrnn.driver.corpus.lm.StreamPartitions;
import io.sparkrnn.driver.round.ReplicaSetup;
import io.sparkrnn.driver.round.RoundConfig;
import io.sparkrnn.driver.round.RoundTaskMode;
import io.sparkrnn.driver.round.RoundMetrics;
import io.sparkrnn.driver.round.RoundSparkConf;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.train.TbpttConfig;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One run of {@code bench rounds}: the driver's {@link RoundTrainer} on {@code local[cores]} with many more
 * partitions than cores, and rounds whose local training is as short as it can be (plain SGD, so no inner state is
 * broadcast or returned), so that what is measured is the round's cost outside local training and the bytes it
 * moves ({@link RoundTraffic}).
 *
 * @param text       UTF-8 text the character LM trains on (all of it; nothing is validated)
 * @param embedding  embedding size E
 * @param hidden     LSTM hidden size H (sets the parameter count, about 4 H (E + H) + V (E + H))
 * @param partitions P: partitions, i.e. tasks per round
 * @param cores      local cores ({@code local[cores]})
 * @param batch      stream lanes per partition
 * @param k          truncated BPTT length
 * @param localSteps inner steps per partition per round
 * @param rounds     rounds to run; the first (replica build, JIT) is reported but not fitted
 * @param seed       seed of the initial weights
 */
record RoundCostRun(String text, int embedding, int hidden, int partitions, int cores, int batch, int k,
        int localSteps, int rounds, long seed) {

    /**
     * One round's figures: wall seconds of the round and of the longest task's inner steps, bytes and tasks, and the
     * mean CPU seconds of a training task (its inner steps included) and of an aggregation task per input it takes
     * in (NaN when the round has no aggregation tasks).
     */
    record Round(double secondsTotal, double secondsLocal, long received, long broadcast, long shuffled, int tasks,
            double cpuPerTrainingTask, double cpuPerAggregationInput) {
        double secondsOutside() {
            return Math.max(0, secondsTotal - secondsLocal);
        }
    }

    /** The run's parameter count and its rounds. */
    record Result(long parameters, List<Round> rounds) {
    }

    SequenceSpec spec(int vocabulary) {
        return SequenceSpec.languageModel(vocabulary, embedding, CellType.LSTM, hidden, 1, 0.0);
    }

    Result run() {
        CharCorpus corpus = CharCorpus.read(Paths.get(text));
        int[] ids = corpus.ids();
        SequenceSpec spec = spec(corpus.vocabulary().size());
        SequenceModel model = new SequenceModel(spec);
        ReplicaSetup setup = new ReplicaSetup(spec, OptimizerConfig.sgd(), LrSchedule.constant(0.01),
                TbpttConfig.of(k, 1.0, seed));
        float[] init = model.initParams(seed, DataType.FLOAT).flat().data().asFloat();
        SparkConf conf = RoundSparkConf.apply(new SparkConf().setAppName("spark-rnn bench rounds")
                .setMaster("local[" + cores + "]").set("spark.ui.enabled", "false"));
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            JavaRDD<SequencePartition> data = StreamPartitions.of(sc, ids, partitions, batch, k);
            data.count();
            RoundTraffic traffic = RoundTraffic.on(sc.sc());
            List<Round> out = new ArrayList<>();
            // a job per round at every P: the protocol whose jobs, tasks and bytes this models (resident tasks, the
            // default up to 2 partitions, have no per-round job or task metrics to measure)
            try (RoundTrainer trainer = new RoundTrainer(sc, setup, RoundConfig.defaults(localSteps)
                    .withTasks(RoundTaskMode.PER_ROUND), init)) {
                traffic.take(sc.sc());
                for (int r = 0; r < rounds; r++) {
                    RoundMetrics m = trainer.round(data, rounds);
                    RoundTraffic.Bytes b = traffic.take(sc.sc());
                    out.add(new Round(m.secondsTotal(), m.secondsLocal(), b.received(), b.broadcast(), b.shuffled(),
                            b.tasks(), b.trainCpu() / b.trainTasks(), b.aggregationInputs() == 0 ? Double.NaN
                                    : b.aggregationCpu() / b.aggregationInputs()));
                }
            }
            return new Result(spec.layout().size(), out);
        }
    }
}
