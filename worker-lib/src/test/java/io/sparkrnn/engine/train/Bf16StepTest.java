package io.sparkrnn.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.tensor.Bf16Products;
import io.sparkrnn.engine.tensor.Precision;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The bf16 training step ({@code train.precision = bf16}) against the float32 step on the same weights and batch:
 * its gradient is within 2e-2 of the float32 one in relative L2 norm (and not equal to it: the bf16 products ran);
 * its bf16 weights follow every update and any other write to the parameters. Where oneDNN has no bf16 units the
 * step is the float32 step exactly: {@link Bf16FallbackTest}, on any CPU (it caps oneDNN's ISA in a child JVM).
 */
class Bf16StepTest {
    /** Relative L2 error of the bf16 step's gradient against the float32 step's. */
    static final double BOUND = 2e-2;

    /** A word-sized language model whose products are all above the bf16 size threshold. */
    static SequenceSpec spec(CellType cell) {
        return SequenceSpec.languageModel(64, 32, cell, 64, 2, 0.0);
    }

    static SequenceBatch batch(long seed) {
        return new TokenStreamBatcher(BatchParallelTest.randomStream(4000, 64, seed), 16, 20).batch(0);
    }

    private static TbpttTrainer trainer(SequenceModel model, FlatParams p, Precision precision, int threads) {
        TbpttTrainer t = new TbpttTrainer(model, p, OptimizerConfig.adam().create(p.layout().size(), DataType.FLOAT),
                LrSchedule.constant(0.01), new TbpttConfig(20, 20, ClipConfig.none(), 3), threads);
        t.setPrecision(precision);
        return t;
    }

    /** The gradient of one step from {@code params} (a copy is trained) on {@code b} from a zero state. */
    static float[] gradient(SequenceSpec spec, FlatParams params, Precision precision, int threads,
            SequenceBatch b) {
        SequenceModel model = new SequenceModel(spec);
        try (TbpttTrainer t = trainer(model, params.copy(), precision, threads)) {
            t.step(b, model.initialState(b.batchSize(), DataType.FLOAT));
            return t.lastGradient().flat().data().asFloat();
        }
    }

    static double relativeError(float[] expected, float[] actual) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) expected[i] - actual[i];
            num += d * d;
            den += (double) expected[i] * expected[i];
        }
        return Math.sqrt(num / den);
    }

    @Test
    void bf16GradientsStayWithinTheBoundOfFloat32() {
        assumeTrue(Bf16Products.available(), "no bf16 units on this CPU (" + Bf16Products.isa() + ")");
        SequenceBatch b = batch(1);
        for (CellType cell : new CellType[] {CellType.LSTM, CellType.GRU}) {
            for (int threads : new int[] {1, 2}) {
                SequenceSpec spec = spec(cell);
                FlatParams p = new SequenceModel(spec).initParams(5, DataType.FLOAT);
                float[] f32 = gradient(spec, p, Precision.FLOAT32, threads, b);
                float[] bf16 = gradient(spec, p, Precision.BF16, threads, b);
                double err = relativeError(f32, bf16);
                String what = cell + " on " + threads + " threads: relative error " + err;
                System.out.println("bf16 step against float32: " + what);
                assertTrue(err <= BOUND, what);
                assertTrue(err > 1e-5, what + " (the products did not run in bf16)");
            }
        }
    }

    @Test
    void bf16WeightsFollowUpdatesAndOtherWrites() {
        assumeTrue(Bf16Products.available(), "no bf16 units on this CPU (" + Bf16Products.isa() + ")");
        SequenceSpec spec = spec(CellType.LSTM);
        SequenceModel model = new SequenceModel(spec);
        FlatParams p = model.initParams(7, DataType.FLOAT);
        SequenceBatch b1 = batch(2);
        SequenceBatch b2 = batch(3);
        try (TbpttTrainer t = trainer(model, p, Precision.BF16, 1)) {
            t.step(b1, model.initialState(16, DataType.FLOAT));
            // After an optimizer update: the next step equals a fresh trainer's step on the updated weights.
            FlatParams updated = p.copy();
            t.step(b2, model.initialState(16, DataType.FLOAT));
            assertArrayEquals(gradient(spec, updated, Precision.BF16, 1, b2), t.lastGradient().flat().data().asFloat());
            // After a write from outside (a loaded checkpoint, an outer step's new weights): likewise.
            FlatParams other = new SequenceModel(spec).initParams(8, DataType.FLOAT);
            p.flat().assign(other.flat());
            ModelState s = model.initialState(16, DataType.FLOAT);
            t.step(b2, s);
            assertArrayEquals(gradient(spec, other, Precision.BF16, 1, b2), t.lastGradient().flat().data().asFloat());
        }
    }

    @Test
    void float32IsTheDefault() {
        SequenceSpec spec = spec(CellType.GRU);
        SequenceModel model = new SequenceModel(spec);
        FlatParams p = model.initParams(5, DataType.FLOAT);
        try (TbpttTrainer t = new TbpttTrainer(model, p, OptimizerConfig.sgd().create(p.layout().size(),
                DataType.FLOAT), LrSchedule.constant(0.1), TbpttConfig.of(20, 1.0, 1))) {
            assertEquals(Precision.FLOAT32, t.precision());
        }
    }
}
