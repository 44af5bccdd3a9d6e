package io.sparkrnn.engine.seq2seq;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.tensor.Bf16Products;
import io.sparkrnn.engine.tensor.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The bf16 step of an encoder-decoder model with general attention and input feeding: its gradient within 2e-2
 * relative L2 error of the float32 step's on the same weights and batch (and not equal to it).
 */
class Seq2SeqBf16StepTest {
    private static float[] gradient(Seq2SeqSpec spec, FlatParams p, Precision precision, Seq2SeqBatch b) {
        Seq2SeqModel model = new Seq2SeqModel(spec);
        try (Seq2SeqTrainer t = new Seq2SeqTrainer(model, p.copy(), OptimizerConfig.adam().create(p.layout().size(),
                DataType.FLOAT), LrSchedule.constant(0.01), ClipConfig.none(), 5)) {
            t.setPrecision(precision);
            t.step(b);
            return t.lastGradient().flat().data().asFloat();
        }
    }

    @Test
    void bf16GradientsStayWithinTheBoundOfFloat32() {
        assumeTrue(Bf16Products.available(), "no bf16 units on this CPU (" + Bf16Products.isa() + ")");
        Seq2SeqSpec spec = Seq2SeqSpec.of(40, 40, 32, CellType.LSTM, 64, 1, false, Attention.GENERAL, true);
        SplittableRandom r = new SplittableRandom(4);
        List<int[]> src = new ArrayList<>();
        List<int[]> tgt = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            src.add(r.ints(8 + r.nextInt(5), 3, 40).toArray());
            tgt.add(r.ints(6 + r.nextInt(5), 3, 40).toArray());
        }
        Seq2SeqBatch b = new Seq2SeqBatch(src, tgt);
        FlatParams p = new Seq2SeqModel(spec).initParams(2, DataType.FLOAT);
        float[] f32 = gradient(spec, p, Precision.FLOAT32, b);
        float[] bf16 = gradient(spec, p, Precision.BF16, b);
        double num = 0;
        double den = 0;
        for (int i = 0; i < f32.length; i++) {
            num += ((double) f32[i] - bf16[i]) * ((double) f32[i] - bf16[i]);
            den += (double) f32[i] * f32[i];
        }
        double err = Math.sqrt(num / den);
        System.out.println("bf16 seq2seq step against float32: relative error " + err);
        assertTrue(err <= 2e-2 && err > 1e-5, "relative error " + err);
    }
}
