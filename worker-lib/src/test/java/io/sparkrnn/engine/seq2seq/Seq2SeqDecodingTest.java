package io.sparkrnn.engine.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import io.sparkrnn.engine.param.FlatParams;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Greedy and beam decoding against each other and against the teacher-forced loss; bad input. */
class Seq2SeqDecodingTest {
    private static List<int[]> sources(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> s = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            s.add(r.ints(1 + r.nextInt(5), 1, vocab).toArray());
        }
        return s;
    }

    private static Seq2SeqModel model(Attention att, boolean feed) {
        return new Seq2SeqModel(new Seq2SeqSpec(8, 6, 4, 4, CellType.LSTM, 5, 1, true, 10, 2, 0.0, att, feed, 0, 1, 2,
                10, 1.5));
    }

    @Test
    void beamOneIsGreedyAndWiderBeamsNeverScoreLower() {
        for (Attention att : Attention.values()) {
            Seq2SeqModel m = model(att, att != Attention.NONE);
            FlatParams p = m.initParams(3, DataType.DOUBLE);
            p.flat().muli(2.0); // peakier distributions: greedy and beam disagree more often
            List<int[]> src = sources(12, 8, 4);
            for (double alpha : new double[] {0.0, 0.6}) {
                List<Hypothesis> greedy = Seq2SeqDecoding.greedy(m, p, src, alpha);
                List<Hypothesis> one = Seq2SeqDecoding.beam(m, p, src, 1, alpha);
                List<Hypothesis> five = Seq2SeqDecoding.beam(m, p, src, 5, alpha);
                int better = 0;
                for (int i = 0; i < src.size(); i++) {
                    assertArrayEquals(greedy.get(i).tokens(), one.get(i).tokens());
                    assertEquals(greedy.get(i).logProb(), one.get(i).logProb(), 1e-12);
                    assertTrue(five.get(i).score() >= greedy.get(i).score() - 1e-12);
                    better += five.get(i).score() > greedy.get(i).score() + 1e-9 ? 1 : 0;
                }
                System.out.printf("attention %s alpha %.1f: beam 5 beats greedy on %d of %d sources%n", att, alpha,
                        better, src.size());
            }
        }
    }

    @Test
    void teacherForcedLogitsGiveTheTrainingLoss() {
        for (Attention att : Attention.values()) {
            Seq2SeqModel m = model(att, att != Attention.NONE);
            FlatParams p = m.initParams(5, DataType.DOUBLE);
            List<int[]> src = sources(7, 8, 6);
            List<int[]> tgt = sources(7, 6, 9);
            double[][][] z = Seq2SeqDecoding.teacherForcedLogits(m, p, src, tgt);
            double sum = 0;
            long count = 0;
            for (int r = 0; r < src.size(); r++) {
                int[] y = tgt.get(r);
                assertEquals(y.length + 1, z[r].length);
                double[][] lp = Seq2SeqDecoding.logSoftmax(z[r]);
                for (int t = 0; t <= y.length; t++) {
                    sum -= lp[t][t == y.length ? m.spec().endId() : y[t]];
                    count++;
                }
            }
            var loss = m.loss(p, new Seq2SeqBatch(src, tgt));
            assertEquals(loss.count(), count);
            assertEquals(loss.lossSum(), sum, 1e-9 * count, att.name());
        }
    }

    @Test
    void badInputNamesExpectedAndFound() {
        Seq2SeqModel m = model(Attention.DOT, false);
        FlatParams p = m.initParams(1, DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.loss(p, Seq2SeqBatch.of(new int[11], new int[] {3})));
        assertTrue(e.getMessage().contains("11 tokens, expected at most maxSourceLength=10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Seq2SeqBatch.of(new int[] {1}, new int[0]));
        assertTrue(e.getMessage().contains("target of row 0 is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.loss(p, Seq2SeqBatch.of(new int[] {1, 8}, new int[] {3})));
        assertTrue(e.getMessage().contains("source token 1 of row 0 must be in [0, 8), found 8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.loss(p, Seq2SeqBatch.of(new int[] {1}, new int[] {-1})));
        assertTrue(e.getMessage().contains("target token 0 of row 0 must be in [0, 6), found -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Seq2SeqDecoding.greedy(m, p, List.of(new int[12]), 0));
        assertTrue(e.getMessage().contains("expected at most maxSourceLength=10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqSpec(8, 6, 4, 4, CellType.GRU, 5, 1, true,
                4, 1, 0.0, Attention.DOT, false, 0, 1, 2, 10, 1.5));
        assertTrue(e.getMessage().contains("DOT attention needs decoderHidden equal to the encoder output width (10), "
                + "found 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqSpec(8, 6, 4, 4, CellType.GRU, 5, 1, false,
                4, 1, 0.0, Attention.NONE, true, 0, 1, 2, 10, 1.5));
        assertTrue(e.getMessage().contains("inputFeeding"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqSpec(8, 6, 4, 4, CellType.GRU, 5, 1, false,
                4, 1, 0.0, Attention.NONE, false, 0, 1, 6, 10, 1.5));
        assertTrue(e.getMessage().contains("endId must be in [0, 6), found 6"), e.getMessage());
    }
}
