package io.sparkrnn.bench;

import io.sparkrnn.driver.corpus.lm.StreamPartitions;
import io.sparkrnn.driver.round.ExecutorMemory;
import io.sparkrnn.driver.round.InnerStatePolicy;
import io.sparkrnn.driver.round.OuterOptimizer;
import io.sparkrnn.driver.round.ReplicaSetup;
import io.sparkrnn.driver.round.RoundConfig;
import io.sparkrnn.driver.round.RoundTaskMode;
import io.sparkrnn.driver.round.RoundMetrics;
import io.sparkrnn.driver.round.RoundSparkConf;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.optim.OptimizerType;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.tensor.Bf16Products;
import io.sparkrnn.engine.tensor.Precision;
import io.sparkrnn.engine.train.TbpttConfig;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Our side of {@code bench spark}: the driver's {@link RoundTrainer} on {@code local[P]} with P partitions of
 * the training stream, exactly as the {@code train} command runs it (matrix products in the settings' precision,
 * {@code train.precision}); validation by {@link StreamEvaluator} (not timed).
 */
final class OursSparkRun {
    private OursSparkRun() {
    }

    static RunLog run(SparkBenchSettings s, CharLmData d) {
        SequenceSpec spec = SequenceSpec.languageModel(d.vocabulary(), s.embedding(), CellType.LSTM, s.hidden(), 1, 0.0);
        SequenceModel model = new SequenceModel(spec);
        ReplicaSetup setup = new ReplicaSetup(spec, OptimizerConfig.defaults(OptimizerType.ADAM),
                LrSchedule.constant(s.lr()), new TbpttConfig(s.k(), s.k(), ClipConfig.byNorm(s.clip()), s.seed()), 1,
                s.enginePrecision());
        OuterOptimizer.Config outer = s.outer().equals("plain")
                ? new OuterOptimizer.Config(OuterOptimizer.Type.PLAIN, s.outerLr(), 0)
                : OuterOptimizer.Config.nesterov(s.outerLr(), s.outerMomentum());
        RoundConfig rc = RoundConfig.defaults(s.localSteps()).withOuter(outer)
                .withTasks(RoundTaskMode.parse(s.roundTasks()))
                .withInnerState(InnerStatePolicy.valueOf(s.innerState().toUpperCase(Locale.ROOT)));
        FlatParams params = model.initParams(s.seed(), DataType.FLOAT);
        SparkConf conf = RoundSparkConf.apply(Dl4jSparkRun.sparkConf(s, "spark-rnn bench spark (ours)"));
        ExecutorMemory.configure(conf, model, OptimizerType.ADAM, s.batch(), s.k());
        RunLog log = new RunLog();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            JavaRDD<SequencePartition> data = StreamPartitions.of(sc, d.train(), s.partitions(), s.batch(), s.k());
            data.count();
            RoundTasks tasks = RoundTasks.on(sc.sc());
            tasks.take(sc.sc());
            try (RoundTrainer trainer = new RoundTrainer(sc, setup, rc, params.flat().data().asFloat())) {
                for (int r = 1; r <= s.rounds(); r++) {
                    double cpu0 = RunLog.processCpuSeconds();
                    double gc0 = RunLog.gcSeconds();
                    RoundMetrics m = trainer.round(data, s.rounds());
                    double cpu = RunLog.processCpuSeconds() - cpu0;
                    double gc = RunLog.gcSeconds() - gc0;
                    RoundTasks.Times spark = tasks.take(sc.sc());
                    double bpc = Double.NaN;
                    if (r % s.evalEvery() == 0 || r == s.rounds()) {
                        params.flat().assign(Nd4j.createFromArray(trainer.params()));
                        bpc = StreamEvaluator.bitsPerChar(predictor(model, params, s.evalLanes()), d.valid(),
                                s.evalLanes(), s.k(), d.vocabulary());
                    }
                    log.add(new RunLog.Round(m.tokens(), m.secondsTotal(), m.secondsLocal(), cpu, gc,
                            m.trainLoss(), bpc, m.phases(), spark));
                    System.err.printf(Locale.ROOT, "ours round %d/%d: %s%s%n", r, s.rounds(), m.toConsole(s.rounds()),
                            Double.isNaN(bpc) ? "" : String.format(Locale.ROOT, "  valid %.4f bits/char", bpc));
                }
            }
        }
        return log;
    }

    /**
     * The precision our replicas' products ran in with {@code requested}: bf16 only where oneDNN's effective ISA has
     * bf16 units (its decision, logged once per process; the replicas run in this JVM on {@code local[P]}),
     * float32 otherwise.
     */
    static Precision ran(Precision requested) {
        return requested == Precision.BF16 && Bf16Products.available() ? Precision.BF16 : Precision.FLOAT32;
    }

    /** Our model's next-token probabilities: softmax of the head's logits, in double. */
    static StreamEvaluator.NextTokenModel predictor(SequenceModel model, FlatParams params, int lanes) {
        return new StreamEvaluator.NextTokenModel() {
            private ModelState state;

            @Override
            public void reset() {
                state = model.initialState(lanes, DataType.FLOAT);
            }

            @Override
            public float[] probabilities(SequenceBatch window) {
                INDArray logits = model.predict(params, window, state);
                int rows = (int) logits.size(0);
                int v = (int) logits.size(1);
                float[] z = logits.castTo(DataType.FLOAT).dup('c').data().asFloat();
                float[] p = new float[z.length];
                for (int r = 0; r < rows; r++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < v; j++) {
                        max = Math.max(max, z[r * v + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < v; j++) {
                        sum += Math.exp(z[r * v + j] - max);
                    }
                    for (int j = 0; j < v; j++) {
                        p[r * v + j] = (float) (Math.exp(z[r * v + j] - max) / sum);
                    }
                }
                return p;
            }
        };
    }
}
