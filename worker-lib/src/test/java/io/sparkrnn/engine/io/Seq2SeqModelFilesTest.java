package io.sparkrnn.engine.io;

import static io.sparkrnn.engine.io.ModelFilesTest.bits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.ModelJson;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.Optimizer;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.seq2seq.Seq2SeqBatch;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Encoder-decoder models in the same directory format and loader as sequence models: bit-exact, strict. */
class Seq2SeqModelFilesTest {
    static final Seq2SeqSpec SPEC = Seq2SeqSpec.of(9, 11, 4, CellType.LSTM, 5, 2, true, Attention.GENERAL, true);
    static final Map<String, String> PROVENANCE = Map.of("data", "samples/cmudict");

    @TempDir
    Path dir;

    static Seq2SeqBatch batch() {
        return new Seq2SeqBatch(List.of(new int[] {3, 4, 5, 6}, new int[] {7, 8}),
                List.of(new int[] {3, 9, 10}, new int[] {4, 5, 6, 7, 8}));
    }

    @Test
    void paramsAndAdamStateRoundTripBitForBitInFloatAndDouble() throws IOException {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Path d = dir.resolve(dt.name());
            Seq2SeqModel model = new Seq2SeqModel(SPEC);
            FlatParams p = model.initParams(7, dt);
            Optimizer adam = OptimizerConfig.adam().create(p.layout().size(), dt);
            for (int s = 0; s < 2; s++) {
                FlatParams g = FlatParams.zeros(p.layout(), dt);
                model.lossAndGradient(p, g, batch(), s);
                adam.step(p.flat(), g.flat(), 0.01);
            }
            ModelFiles.save(d, model, p, adam, 2, PROVENANCE);

            ModelFiles.Loaded l = ModelFiles.load(d, dt);
            assertEquals(ModelJson.KIND_SEQ2SEQ, l.spec().kind());
            assertEquals(SPEC, l.spec());
            assertEquals(model.layout(), l.params().layout());
            assertEquals(dt, l.params().dataType());
            assertArrayEquals(bits(p.flat()), bits(l.params().flat()), dt.name());
            assertEquals(2, l.steps());
            assertEquals(PROVENANCE, l.provenance());
            ModelFiles.OptimizerState st = l.optimizer().orElseThrow();
            assertEquals(adam.config(), st.config());
            assertEquals(2, st.stepCount());
            for (Map.Entry<String, INDArray> e : adam.state().entrySet()) {
                assertArrayEquals(bits(e.getValue()), bits(st.tensors().get(e.getKey())), e.getKey());
            }
            // the loaded model computes the same loss, bit for bit
            assertEquals(model.loss(p, batch()).lossSum(),
                    l.model().as(Seq2SeqModel.class).loss(l.params(), batch()).lossSum());

            SafeTensorsFile w = SafeTensors.read(d.resolve(ModelFiles.WEIGHTS));
            for (ParamLayout.Entry e : model.layout().entries()) {
                assertTrue(w.contains(e.name()), e.name());
            }
            assertTrue(w.contains("encoder.weight_hh_l1_reverse") && w.contains("decoder.weight_ih_l1")
                    && w.contains("attn.weight") && w.contains("bridge.weight"), w.tensors().toString());
            assertEquals(dt == DataType.FLOAT ? "float32" : "float64", w.metadata().get("dtype"));
        }
    }

    @Test
    void everyAttentionAndLayerVariantRoundTripsWithoutOptimizer() throws IOException {
        int i = 0;
        for (Seq2SeqSpec s : List.of(
                Seq2SeqSpec.of(6, 7, 3, CellType.GRU, 4, 1, false, Attention.NONE, false),
                Seq2SeqSpec.of(6, 7, 3, CellType.RNN_TANH, 4, 3, true, Attention.DOT, false),
                new Seq2SeqSpec(6, 7, 3, 2, CellType.LSTM, 4, 1, true, 5, 2, 0.1, Attention.GENERAL, true, 0, 1, 2,
                        50, 1.5))) {
            Path d = dir.resolve("v" + i++);
            Seq2SeqModel model = new Seq2SeqModel(s);
            FlatParams p = model.initParams(i, DataType.DOUBLE);
            ModelFiles.save(d, model, p, null, 0, null);
            ModelFiles.Loaded l = ModelFiles.load(d, DataType.DOUBLE);
            assertEquals(s, l.spec());
            assertTrue(l.optimizer().isEmpty());
            assertArrayEquals(bits(p.flat()), bits(l.params().flat()), s.toString());
        }
    }

    @Test
    void oneLoaderReadsBothKindsAndAModelRefusesToActAsTheOtherFamily() throws IOException {
        Seq2SeqModel s2s = new Seq2SeqModel(SPEC);
        Path a = dir.resolve("s2s");
        ModelFiles.save(a, s2s, s2s.initParams(1, DataType.FLOAT), null, 0, null);
        ModelFiles.Loaded la = ModelFiles.load(a, DataType.FLOAT);
        assertEquals(SPEC, la.spec());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> la.model().as(SequenceModel.class));
        assertTrue(e.getMessage().startsWith("this is a seq2seq model (\"kind\": \"seq2seq\"), not a SequenceModel"),
                e.getMessage());

        SequenceModel seq = new SequenceModel(SequenceSpec.languageModel(5, 2, CellType.GRU, 3, 1, 0.0));
        Path b = dir.resolve("seq");
        ModelFiles.save(b, seq, seq.initParams(1, DataType.FLOAT), null, 0, null);
        ModelFiles.Loaded lb = ModelFiles.load(b, DataType.FLOAT);
        assertEquals(ModelJson.KIND_SEQUENCE, lb.spec().kind());
        assertEquals(seq.spec(), lb.model().as(SequenceModel.class).spec());
        e = assertThrows(IllegalArgumentException.class, () -> lb.model().as(Seq2SeqModel.class));
        assertTrue(e.getMessage().startsWith("this is a sequence model (\"kind\": \"sequence\"), not a Seq2SeqModel"),
                e.getMessage());
    }

    @Test
    void weightsThatDoNotFitTheSpecNameFileAndTensor() throws IOException {
        Seq2SeqModel model = new Seq2SeqModel(SPEC);
        ModelFiles.save(dir, model, model.initParams(3, DataType.FLOAT), null, 0, null);
        Path w = dir.resolve(ModelFiles.WEIGHTS);

        // a wider decoder: same names, other shapes
        Seq2SeqSpec wider = new Seq2SeqSpec(9, 11, 4, 4, CellType.LSTM, 5, 2, true, 6, 2, 0.0, Attention.GENERAL,
                true, 0, 1, 2, 200, 2.0);
        Files.writeString(dir.resolve(ModelFiles.MODEL_JSON), wider.toJson(Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFiles.load(dir, DataType.FLOAT));
        assertTrue(e.getMessage().startsWith(w + ": tensor '"), e.getMessage());
        assertTrue(e.getMessage().contains("has shape") && e.getMessage().contains("the layout expects"),
                e.getMessage());

        // no attention: the attention tensors are left over
        Seq2SeqSpec plain = Seq2SeqSpec.of(9, 11, 4, CellType.LSTM, 5, 2, true, Attention.NONE, false);
        Files.writeString(dir.resolve(ModelFiles.MODEL_JSON), plain.toJson(Map.of()));
        e = assertThrows(IllegalArgumentException.class, () -> ModelFiles.load(dir, DataType.FLOAT));
        assertTrue(e.getMessage().startsWith(w.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("attn.weight"), e.getMessage());
    }

    @Test
    void savingParamsOfAnotherLayoutIsRefused() {
        Seq2SeqModel model = new Seq2SeqModel(SPEC);
        Seq2SeqModel other = new Seq2SeqModel(Seq2SeqSpec.of(9, 11, 4, CellType.GRU, 5, 2, true, Attention.GENERAL,
                true));
        FlatParams p = other.initParams(1, DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFiles.save(dir, model, p, null, 0, null));
        assertTrue(e.getMessage().startsWith("parameters do not have the model's layout"), e.getMessage());
    }
}
