package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.ParamLayout;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A vocabulary extended by a warm start: the parent's rows element for element, the new rows the filler's (zeros
 * for optimizer state); the tensors that grow for a language model, a tagger and a seq2seq model.
 */
class RowGrowthTest {
    private static SequenceSpec lm(int vocab) {
        return SequenceSpec.languageModel(vocab, 6, CellType.LSTM, 5, 2, 0.0);
    }

    @Test
    void theParentsRowsStayAndTheNewRowsAreFresh() {
        SequenceSpec was = lm(7);
        SequenceSpec now = lm(10);
        float[] parent = was.newModel().initParams(1, DataType.FLOAT).flat().toFloatVector();
        float[] fresh = now.newModel().initParams(99, DataType.FLOAT).flat().toFloatVector();
        float[] grown = new RowGrowth(was.layout(), now.layout()).grow(parent, fresh);
        assertEquals(now.layout().size(), grown.length);
        int grownTensors = 0;
        for (ParamLayout.Entry e : now.layout().entries()) {
            ParamLayout.Entry old = was.layout().entry(e.name());
            float[] mine = Arrays.copyOfRange(grown, (int) e.offset(), (int) (e.offset() + e.length()));
            float[] theirs = Arrays.copyOfRange(parent, (int) old.offset(), (int) (old.offset() + old.length()));
            // the parent's rows, bit for bit: they are a prefix of the tensor (row-major)
            assertArrayEquals(theirs, Arrays.copyOf(mine, theirs.length), e.name());
            assertArrayEquals(Arrays.copyOfRange(fresh, (int) (e.offset() + old.length()),
                    (int) (e.offset() + e.length())), Arrays.copyOfRange(mine, theirs.length, mine.length), e.name());
            if (e.length() > old.length()) {
                grownTensors++;
                assertEquals(10, e.shape()[0], e.name());
                assertEquals(7, old.shape()[0], e.name());
            }
        }
        // the embedding, the output weights and the output bias
        assertEquals(3, grownTensors);
        double[] momentum = new RowGrowth(was.layout(), now.layout()).grow(new double[(int) was.layout().size()]);
        assertEquals(now.layout().size(), momentum.length);
    }

    /** The tensors of {@code to} that have more elements than in {@code from}, by name. */
    private static List<String> grown(ModelSpec from, ModelSpec to) {
        return to.layout().entries().stream().filter(e -> e.length() > from.layout().entry(e.name()).length())
                .map(ParamLayout.Entry::name).toList();
    }

    @Test
    void aSeq2SeqModelGrowsBothEmbeddingsAndItsOutputAndTheOptimizerStateByZeros() {
        Seq2SeqSpec was = Seq2SeqSpec.of(7, 9, 4, CellType.LSTM, 5, 1, true, Seq2SeqSpec.Attention.GENERAL, true);
        Seq2SeqSpec now = Seq2SeqSpec.of(10, 12, 4, CellType.LSTM, 5, 1, true, Seq2SeqSpec.Attention.GENERAL, true);
        assertEquals(List.of("src_embedding.weight", "tgt_embedding.weight", "out.weight", "out.bias"),
                grown(was, now));
        float[] state = new float[(int) was.layout().size()];
        Arrays.fill(state, 0.5f);
        float[] grownState = new RowGrowth(was.layout(), now.layout()).grow(state, null);
        for (ParamLayout.Entry e : now.layout().entries()) {
            long old = was.layout().entry(e.name()).length();
            for (long i = 0; i < e.length(); i++) {
                // the parent's state for its rows, zeros for the new rows
                assertEquals(i < old ? 0.5f : 0f, grownState[(int) (e.offset() + i)], e.name() + "[" + i + "]");
            }
        }
    }

    @Test
    void aTaggerGrowsItsEmbeddingByWordsAndItsHeadByTags() {
        SequenceSpec was = SequenceSpec.tagger(7, 4, 0, CellType.GRU, 5, 1, true, 0.0, 5);
        assertEquals(List.of("embedding.weight"), grown(was, SequenceSpec.tagger(9, 4, 0, CellType.GRU, 5, 1, true,
                0.0, 5)));
        assertEquals(List.of("head.weight", "head.bias"), grown(was, SequenceSpec.tagger(7, 4, 0, CellType.GRU, 5, 1,
                true, 0.0, 6)));
    }

    @Test
    void aModelThatDiffersInMoreThanRowsIsRefused() {
        SequenceSpec wider = SequenceSpec.languageModel(10, 6, CellType.LSTM, 8, 2, 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RowGrowth(lm(7).layout(), wider.layout()));
        assertTrue(e.getMessage().contains("more than rows of its vocabulary"), e.getMessage());
    }
}
