package io.sparkrnn.bench;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.optim.OptimizerType;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.TbpttConfig;
import io.sparkrnn.engine.train.TbpttTrainer;
import io.sparkrnn.engine.train.TokenStreamBatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The scaling ceiling without Spark: {@code n} threads in one JVM, each training its own replica on its own
 * partition of the stream (as n Spark tasks do, minus broadcast, scheduling and aggregation), all started
 * together; tokens/s = all tokens / the slowest thread's time. The ratio n = 2 over n = 1 is what the
 * hardware (memory bandwidth, shared cache, allocator, GC) leaves for Spark to reach.
 */
final class EngineCeiling {
    private EngineCeiling() {
    }

    static double tokensPerSecond(SparkBenchSettings s, CharLmData d, int threads, int steps) throws Exception {
        int piece = d.train().length / threads;
        CyclicBarrier start = new CyclicBarrier(threads);
        double[] seconds = new double[threads];
        List<Thread> all = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int i = 0; i < threads; i++) {
            int p = i;
            Thread t = new Thread(() -> {
                try {
                    int[] part = Arrays.copyOfRange(d.train(), p * piece, (p + 1) * piece);
                    SequenceModel model = new SequenceModel(SequenceSpec.languageModel(d.vocabulary(), s.embedding(),
                            CellType.LSTM, s.hidden(), 1, 0.0));
                    FlatParams params = model.initParams(s.seed(), DataType.FLOAT);
                    TbpttTrainer trainer = new TbpttTrainer(model, params, OptimizerConfig.defaults(
                            OptimizerType.ADAM).create(params.layout().size(), DataType.FLOAT),
                            LrSchedule.constant(s.lr()), new TbpttConfig(s.k(), s.k(), ClipConfig.byNorm(s.clip()),
                            s.seed()));
                    TokenStreamBatcher batches = new TokenStreamBatcher(part, s.batch(), s.k());
                    ModelState state = model.initialState(s.batch(), DataType.FLOAT);
                    for (int j = 0; j < 5; j++) {
                        trainer.step(batches.next(), state);
                    }
                    start.await();
                    long t0 = System.nanoTime();
                    for (int j = 0; j < steps; j++) {
                        if (batches.startsEpoch()) {
                            state = model.initialState(s.batch(), DataType.FLOAT);
                        }
                        trainer.step(batches.next(), state);
                    }
                    seconds[p] = (System.nanoTime() - t0) / 1e9;
                } catch (Throwable e) {
                    failure[0] = e;
                    start.reset();
                }
            }, "engine-ceiling-" + i);
            all.add(t);
            t.start();
        }
        for (Thread t : all) {
            t.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException("engine ceiling run failed", failure[0]);
        }
        double slowest = Arrays.stream(seconds).max().getAsDouble();
        return (double) threads * steps * s.batch() * s.k() / slowest;
    }
}
