package io.sparkrnn.engine.seq2seq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import io.sparkrnn.engine.param.FlatParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class Seq2SeqEvaluationTest {

    @Test
    void levenshteinCountsEdits() {
        assertEquals(0, Seq2SeqEvaluation.levenshtein(new int[] {3, 4, 5}, new int[] {3, 4, 5}));
        assertEquals(1, Seq2SeqEvaluation.levenshtein(new int[] {3, 4, 5}, new int[] {3, 5}));
        assertEquals(1, Seq2SeqEvaluation.levenshtein(new int[] {3, 4, 5}, new int[] {3, 6, 5}));
        assertEquals(2, Seq2SeqEvaluation.levenshtein(new int[] {3, 4}, new int[] {4, 3, 5}));
        assertEquals(3, Seq2SeqEvaluation.levenshtein(new int[0], new int[] {4, 3, 5}));
        assertEquals(2, Seq2SeqEvaluation.levenshtein(new int[] {4, 3}, new int[0]));
    }

    /** References equal to the greedy outputs score 0; the same with one token changed in one scores 1 edit. */
    @Test
    void errorRatesCountEditsAgainstGreedyOutputs() {
        Seq2SeqModel model = new Seq2SeqModel(Seq2SeqSpec.of(9, 8, 4, CellType.GRU, 5, 1, false, Attention.DOT, false));
        FlatParams p = model.initParams(2, DataType.FLOAT);
        List<int[]> src = List.of(new int[] {3, 4, 5}, new int[] {6, 7}, new int[] {8, 3, 3, 4});
        List<int[]> out = new ArrayList<>();
        Seq2SeqDecoding.greedy(model, p, src, 0.0).forEach(h -> out.add(h.tokens()));
        Seq2SeqEvaluation.ErrorRates same = Seq2SeqEvaluation.greedy(model, p, src, out, 2);
        long n = out.stream().mapToLong(r -> r.length).sum();
        assertEquals(new Seq2SeqEvaluation.ErrorRates(0, n, 0, 3), same);
        List<int[]> changed = new ArrayList<>(out);
        int[] longer = new int[out.get(1).length + 1];
        System.arraycopy(out.get(1), 0, longer, 0, out.get(1).length);
        longer[longer.length - 1] = 3;
        changed.set(1, longer);
        Seq2SeqEvaluation.ErrorRates one = Seq2SeqEvaluation.greedy(model, p, src, changed, 1);
        assertEquals(new Seq2SeqEvaluation.ErrorRates(1, n + 1, 1, 3), one);
        assertEquals(1.0 / (n + 1), one.tokenErrorRate(), 0.0);
        assertEquals(1.0 / 3, one.sequenceErrorRate(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Seq2SeqEvaluation.greedy(model, p, src, out.subList(0, 2), 1));
    }
}
