package io.sparkrnn.engine.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.testutil.Samples;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Exported ONNX models run in ONNX Runtime give the engine's forward pass ({@code SequenceModel.predict}) on
 * rows of the shipped samples: Moby Dick as characters (variable lengths, so padding and the reverse
 * directions' starts matter) and US births as daily series; every cell, stacked, bidirectional, aligned and
 * both poolings. Max abs difference <= 1e-4.
 */
class OnnxExportTest {
    private static final double TOLERANCE = 1e-4;
    private static final int[] LENGTHS = {37, 12, 25, 1, 30};
    private static OrtEnvironment env;
    private static int vocab;
    private static List<int[]> rows;

    @BeforeAll
    static void setUp() {
        env = OrtEnvironment.getEnvironment();
        String text = Samples.text("moby-dick/moby-dick.txt").substring(20_000, 22_000);
        Map<Integer, Integer> ids = new TreeMap<>();
        text.codePoints().forEach(c -> ids.putIfAbsent(c, 0));
        int next = 1;                                  // id 0 is the padding id of taggers and classifiers
        for (Integer c : ids.keySet()) {
            ids.put(c, next++);
        }
        vocab = next;
        int[] all = text.codePoints().map(ids::get).toArray();
        rows = new ArrayList<>();
        int at = 0;
        for (int len : LENGTHS) {
            rows.add(java.util.Arrays.copyOfRange(all, at, at + len));
            at += len + 11;
        }
    }

    @Test
    void lstmLanguageModelTwoLayers() throws OrtException {
        SequenceSpec spec = SequenceSpec.languageModel(vocab, 16, CellType.LSTM, 24, 2, 0.3);
        List<int[]> full = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            full.add(java.util.Arrays.copyOf(rows.get(r == 1 ? 2 : r), 20));
        }
        compareAligned(spec, full);
    }

    @Test
    void bidirectionalLstmTaggerTwoLayers() throws OrtException {
        compareAligned(SequenceSpec.tagger(vocab, 12, 0, CellType.LSTM, 20, 2, true, 0.2, 9), rows);
    }

    @Test
    void gruTagger() throws OrtException {
        compareAligned(SequenceSpec.tagger(vocab, 12, 0, CellType.GRU, 20, 1, false, 0, 7), rows);
    }

    @Test
    void bidirectionalGruTaggerTwoLayers() throws OrtException {
        compareAligned(SequenceSpec.tagger(vocab, 10, 0, CellType.GRU, 16, 2, true, 0, 5), rows);
    }

    @Test
    void bidirectionalRnnTaggerTwoLayers() throws OrtException {
        compareAligned(SequenceSpec.tagger(vocab, 10, 0, CellType.RNN_TANH, 16, 2, true, 0, 5), rows);
    }

    @Test
    void classifierLastStepEveryCell() throws OrtException {
        for (CellType cell : CellType.values()) {
            comparePooled(SequenceSpec.classifier(vocab, 12, 0, cell, 18, 2, true, 0.1, SequenceSpec.Pooling.LAST, 3));
            comparePooled(SequenceSpec.classifier(vocab, 12, 0, cell, 18, 1, false, 0, SequenceSpec.Pooling.LAST, 2));
        }
    }

    @Test
    void classifierMeanPoolingEveryCell() throws OrtException {
        for (CellType cell : CellType.values()) {
            comparePooled(SequenceSpec.classifier(vocab, 12, 0, cell, 18, 2, true, 0.1, SequenceSpec.Pooling.MEAN, 3));
        }
    }

    @Test
    void forecasterOnBirthSeries() throws OrtException {
        compareRegressor(SequenceSpec.regressor(2, CellType.LSTM, 16, 2, false, 0, SequenceSpec.Pooling.LAST, 3));
        compareRegressor(SequenceSpec.regressor(2, CellType.GRU, 16, 1, true, 0, SequenceSpec.Pooling.MEAN, 1));
        compareRegressor(SequenceSpec.regressor(2, CellType.RNN_TANH, 8, 2, true, 0, SequenceSpec.Pooling.LAST, 2));
    }

    private void compareAligned(SequenceSpec spec, List<int[]> input) throws OrtException {
        SequenceModel model = new SequenceModel(spec);
        FlatParams params = model.initParams(spec.hashCode(), DataType.FLOAT);
        List<int[]> dummy = input.stream().map(r -> new int[r.length]).toList();
        SequenceBatch batch = SequenceBatch.padAligned(input, dummy, Math.max(spec.paddingId(), 0),
                spec.ignoreIndex());
        float[] ours = ours(model, params, batch);                 // row t*B + b
        float[][][] theirs;
        try (OrtSession s = session(spec, params);
             OrtSession.Result r = s.run(tokenInputs(spec, input, batch))) {
            theirs = (float[][][]) r.get("logits").orElseThrow().getValue();
        }
        int b = batch.batchSize();
        int c = spec.outputSize();
        double max = 0;
        for (int row = 0; row < b; row++) {
            for (int t = 0; t < input.get(row).length; t++) {
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, Math.abs(ours[(t * b + row) * c + k] - theirs[row][t][k]));
                }
            }
        }
        assertClose(spec, max);
    }

    private void comparePooled(SequenceSpec spec) throws OrtException {
        SequenceModel model = new SequenceModel(spec);
        FlatParams params = model.initParams(spec.hashCode(), DataType.FLOAT);
        SequenceBatch batch = SequenceBatch.padPooled(rows, new int[rows.size()], spec.paddingId());
        float[] ours = ours(model, params, batch);
        float[][] theirs;
        try (OrtSession s = session(spec, params);
             OrtSession.Result r = s.run(tokenInputs(spec, rows, batch))) {
            theirs = (float[][]) r.get("logits").orElseThrow().getValue();
        }
        assertClose(spec, maxDiff(ours, theirs));
    }

    /** Windows of (births, day of week / 7) from the US births CSV, z-scored as the forecaster does. */
    private void compareRegressor(SequenceSpec spec) throws OrtException {
        List<String> lines = Samples.text("us-births/us-births.csv").lines().skip(1).limit(200).toList();
        int b = 4;
        int t = 28;
        float[] series = new float[lines.size()];
        for (int i = 0; i < series.length; i++) {
            String[] f = lines.get(i).split(",");
            series[i] = (Float.parseFloat(f[f.length - 1]) - 10_000f) / 1_500f;
        }
        float[][][] batchMajor = new float[b][t][2];
        float[] timeMajor = new float[t * b * 2];
        for (int r = 0; r < b; r++) {
            for (int s = 0; s < t; s++) {
                batchMajor[r][s][0] = series[r * 31 + s];
                batchMajor[r][s][1] = ((r * 31 + s) % 7) / 7f;
                timeMajor[(s * b + r) * 2] = batchMajor[r][s][0];
                timeMajor[(s * b + r) * 2 + 1] = batchMajor[r][s][1];
            }
        }
        int[] lengths = new int[b];
        java.util.Arrays.fill(lengths, t);
        SequenceModel model = new SequenceModel(spec);
        FlatParams params = model.initParams(spec.hashCode(), DataType.FLOAT);
        SequenceBatch batch = SequenceBatch.pooledFeatures(t, b, 2, timeMajor, lengths,
                new float[b * spec.outputSize()], spec.outputSize());
        float[] ours = ours(model, params, batch);
        float[][] theirs;
        try (OrtSession s = session(spec, params);
             OnnxTensor x = OnnxTensor.createTensor(env, batchMajor);
             OrtSession.Result r = s.run(Map.of("features", x))) {
            theirs = (float[][]) r.get("values").orElseThrow().getValue();
        }
        assertClose(spec, maxDiff(ours, theirs));
    }

    private static float[] ours(SequenceModel model, FlatParams params, SequenceBatch batch) {
        return model.predict(params, batch, model.initialState(batch.batchSize(), DataType.FLOAT))
                .castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    private static double maxDiff(float[] ours, float[][] theirs) {
        int c = theirs[0].length;
        assertEquals(ours.length, theirs.length * c);
        double max = 0;
        for (int r = 0; r < theirs.length; r++) {
            for (int k = 0; k < c; k++) {
                max = Math.max(max, Math.abs(ours[r * c + k] - theirs[r][k]));
            }
        }
        return max;
    }

    private static void assertClose(SequenceSpec spec, double max) {
        System.out.printf("%s %s layers=%d bidirectional=%b %s: max |ours - onnxruntime| = %.3g%n", spec.cell(),
                spec.topology(), spec.numLayers(), spec.bidirectional(), spec.pooling(), max);
        assertTrue(max <= TOLERANCE, spec + ": max abs difference " + max + " > " + TOLERANCE);
    }

    private static OrtSession session(SequenceSpec spec, FlatParams params) throws OrtException {
        byte[] onnx = OnnxExport.export(spec, params, "test", "", Map.of("k", "v"));
        OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions());
        List<String> expected = new ArrayList<>(List.of(spec.tokenInput() ? "tokens" : "features"));
        if (spec.paddingId() >= 0) {
            expected.add("lengths");
        }
        assertEquals(expected, new ArrayList<>(s.getInputNames()));
        assertEquals("v", s.getMetadata().getCustomMetadata().get("k"));
        return s;
    }

    private static Map<String, OnnxTensor> tokenInputs(SequenceSpec spec, List<int[]> input, SequenceBatch batch)
            throws OrtException {
        int b = input.size();
        int t = batch.steps();
        long[] tokens = new long[b * t];
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            lengths[r] = input.get(r).length;
            for (int s = 0; s < t; s++) {
                tokens[r * t + s] = batch.tokens()[s * b + r];   // padded with the padding id, as ours
            }
        }
        assertArrayEquals(lengths, batch.lengths());
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put("tokens", OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {b, t}));
        if (spec.paddingId() >= 0) {
            in.put("lengths", OnnxTensor.createTensor(env, IntBuffer.wrap(lengths), new long[] {b}));
        }
        return in;
    }
}
