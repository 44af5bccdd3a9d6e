package io.sparkrnn.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.Optimizer;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.StepReport;
import io.sparkrnn.engine.train.TbpttConfig;
import io.sparkrnn.engine.train.TbpttTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Save and load of a model directory: bit-exact weights and optimizer state, resumable training, clear errors. */
class ModelFilesTest {
    static final int VOCAB = 7;
    static final SequenceSpec SPEC = SequenceSpec.languageModel(VOCAB, 3, CellType.LSTM, 4, 2, 0.2);
    static final Map<String, String> PROVENANCE = Map.of("config", "k1=5", "data", "samples/moby-dick");

    @TempDir
    Path dir;

    /** Raw bits of every element (float or double) of a vector. */
    static long[] bits(INDArray v) {
        long n = v.length();
        long[] b = new long[(int) n];
        for (int i = 0; i < n; i++) {
            b[i] = v.dataType() == DataType.FLOAT ? Float.floatToRawIntBits(v.getFloat(i))
                    : Double.doubleToRawLongBits(v.getDouble(i));
        }
        return b;
    }

    static SequenceBatch batch(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int t = 5;
        int b = 3;
        int[] x = new int[t * b];
        int[] y = new int[t * b];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(VOCAB);
            y[i] = r.nextInt(VOCAB);
        }
        return SequenceBatch.alignedTokens(t, b, x, new int[] {5, 5, 5}, y);
    }

    static TbpttTrainer trainer(SequenceModel model, FlatParams params, Optimizer opt) {
        return new TbpttTrainer(model, params, opt, LrSchedule.warmupCosine(0.01, 2, 20, 0.001),
                new TbpttConfig(5, 3, io.sparkrnn.engine.optim.ClipConfig.byNorm(1.0), 42));
    }

    static void steps(TbpttTrainer tr, SequenceModel model, int from, int count) {
        for (int s = from; s < from + count; s++) {
            StepReport r = tr.step(batch(s), model.initialState(3, tr.params().dataType()));
            assertFalse(r.skipped(), r.toString());
        }
    }

    private Path savedDir() {
        return dir.resolve("ckpt");
    }

    @Test
    void weightsRoundTripBitExactInFloatAndDouble() throws IOException {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            SequenceModel model = new SequenceModel(SPEC);
            FlatParams p = model.initParams(3, dt);
            ModelFiles.save(savedDir(), model, p, null, 0, PROVENANCE);
            ModelFiles.Loaded l = ModelFiles.load(savedDir(), dt);
            assertEquals(SPEC, l.spec());
            assertEquals(model.layout(), l.params().layout());
            assertEquals(dt, l.params().dataType());
            assertArrayEquals(bits(p.flat()), bits(l.params().flat()), dt.toString());
            assertTrue(l.optimizer().isEmpty());
            assertEquals(PROVENANCE, l.provenance());
            SafeTensorsFile w = SafeTensors.read(savedDir().resolve(ModelFiles.WEIGHTS));
            assertEquals(dt == DataType.FLOAT ? "float32" : "float64", w.metadata().get("dtype"));
            assertEquals("1", w.metadata().get("formatVersion"));
            assertTrue(w.contains("rnn.weight_hh_l1") && w.contains("embedding.weight") && w.contains("head.bias"));
        }
    }

    @Test
    void adamStateRoundTripsAndResumedTrainingMatchesUninterruptedTrainingBitForBit() throws IOException {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            SequenceModel model = new SequenceModel(SPEC);
            FlatParams p = model.initParams(11, dt);
            Optimizer adam = OptimizerConfig.adamW(0.01).withBeta1(0.8).create(p.layout().size(), dt);
            TbpttTrainer a = trainer(model, p, adam);
            steps(a, model, 0, 3);
            ModelFiles.save(savedDir(), model, p, adam, a.stepCount(), PROVENANCE);

            ModelFiles.Loaded l = ModelFiles.load(savedDir(), dt);
            assertEquals(3, l.steps());
            ModelFiles.OptimizerState st = l.optimizer().orElseThrow();
            assertEquals(adam.config(), st.config());
            assertEquals(3, st.stepCount());
            assertEquals(adam.state().keySet(), st.tensors().keySet());
            for (Map.Entry<String, INDArray> e : adam.state().entrySet()) {
                assertArrayEquals(bits(e.getValue()), bits(st.tensors().get(e.getKey())), e.getKey());
            }
            Optimizer restored = st.restore(l.params().layout().size(), dt);
            SequenceModel loaded = l.model().as(SequenceModel.class);
            TbpttTrainer b = trainer(loaded, l.params(), restored);
            b.setStepCount(l.steps());

            for (int s = 3; s < 6; s++) {
                steps(a, model, s, 1);
                steps(b, loaded, s, 1);
                assertArrayEquals(bits(a.params().flat()), bits(b.params().flat()), dt + " step " + s);
                assertArrayEquals(bits(adam.state().get("exp_avg_sq")), bits(restored.state().get("exp_avg_sq")));
            }
        }
    }

    @Test
    void weightsThatDoNotFitTheSpecFailNamingFileAndTensor() throws IOException {
        SequenceModel model = new SequenceModel(SPEC);
        ModelFiles.save(savedDir(), model, model.initParams(1, DataType.FLOAT), null, 0, Map.of());
        SequenceSpec wider = SequenceSpec.languageModel(VOCAB, 3, CellType.LSTM, 5, 2, 0.2);
        Files.writeString(savedDir().resolve(ModelFiles.MODEL_JSON), wider.toJson(Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFiles.load(savedDir(), DataType.FLOAT));
        assertEquals(savedDir().resolve(ModelFiles.WEIGHTS) + ": tensor 'rnn.weight_ih_l0' has shape [16, 3], "
                + "the layout expects [20, 3]", e.getMessage());

        SequenceSpec gru = SequenceSpec.languageModel(VOCAB, 3, CellType.GRU, 4, 1, 0.0);
        Files.writeString(savedDir().resolve(ModelFiles.MODEL_JSON), gru.toJson(Map.of()));
        e = assertThrows(IllegalArgumentException.class, () -> ModelFiles.load(savedDir(), DataType.FLOAT));
        assertTrue(e.getMessage().contains("unexpected [rnn.bias_hh_l1, rnn.bias_ih_l1, rnn.weight_hh_l1, "
                + "rnn.weight_ih_l1]"), e.getMessage());
    }

    @Test
    void aNonFiniteWeightIsRefusedNamingTensorAndElement() throws IOException {
        SequenceModel model = new SequenceModel(SPEC);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            FlatParams p = model.initParams(1, DataType.FLOAT);
            long at = p.layout().entry("rnn.weight_hh_l1").offset() + 5;
            p.flat().putScalar(at, bad);
            ModelFiles.save(savedDir(), model, p, null, 0, Map.of());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelFiles.load(savedDir(), DataType.FLOAT));
            assertEquals(savedDir().resolve(ModelFiles.WEIGHTS) + ": tensor 'rnn.weight_hh_l1' holds " + (double) bad
                    + " at element 5; a model's weights are finite numbers", e.getMessage());
        }
    }

    @Test
    void aFloatCheckpointLoadsAsDouble() throws IOException {
        SequenceModel model = new SequenceModel(SPEC);
        FlatParams p = model.initParams(5, DataType.FLOAT);
        ModelFiles.save(savedDir(), model, p, null, 0, Map.of());
        FlatParams d = ModelFiles.load(savedDir(), DataType.DOUBLE).params();
        assertEquals(DataType.DOUBLE, d.dataType());
        assertArrayEquals(p.flat().toDoubleVector(), d.flat().toDoubleVector());
    }

    @Test
    void onlyTheFinalFilesAreLeftAndSavingWithoutOptimizerDropsAStaleOne() throws IOException {
        SequenceModel model = new SequenceModel(SPEC);
        FlatParams p = model.initParams(2, DataType.FLOAT);
        Optimizer adam = OptimizerConfig.adam().create(p.layout().size(), DataType.FLOAT);
        ModelFiles.save(savedDir(), model, p, adam, 0, PROVENANCE);
        ModelFiles.save(savedDir(), model, p, adam, 0, PROVENANCE); // overwrite in place
        assertEquals(new TreeSet<>(List.of("model.json", "optimizer.safetensors", "weights.safetensors")),
                names(savedDir()));
        ModelFiles.save(savedDir(), model, p, null, 0, PROVENANCE);
        assertEquals(new TreeSet<>(List.of("model.json", "weights.safetensors")), names(savedDir()));

        // a failing save (optimizer of the wrong size) leaves no temporary file either
        Optimizer wrong = OptimizerConfig.adam().create(3, DataType.FLOAT);
        assertThrows(IllegalArgumentException.class, () -> ModelFiles.save(savedDir(), model, p, wrong, 0, Map.of()));
        assertEquals(new TreeSet<>(List.of("model.json", "weights.safetensors")), names(savedDir()));
    }

    @Test
    void anotherWeightsVersionIsRefused() throws IOException {
        SequenceModel model = new SequenceModel(SPEC);
        FlatParams p = model.initParams(2, DataType.FLOAT);
        ModelFiles.save(savedDir(), model, p, null, 0, Map.of());
        SafeTensors.writeParams(savedDir().resolve(ModelFiles.WEIGHTS), p,
                Map.of("format", ModelFiles.WEIGHTS_FORMAT, "formatVersion", "2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFiles.load(savedDir(), DataType.FLOAT));
        assertEquals(savedDir().resolve(ModelFiles.WEIGHTS) + ": unsupported formatVersion 2; this build reads 1",
                e.getMessage());
    }

    private static TreeSet<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(x -> x.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
