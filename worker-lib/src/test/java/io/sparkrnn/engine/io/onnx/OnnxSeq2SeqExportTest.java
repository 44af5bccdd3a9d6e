package io.sparkrnn.engine.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.seq2seq.Hypothesis;
import io.sparkrnn.engine.seq2seq.Seq2SeqBatch;
import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import io.sparkrnn.engine.seq2seq.Seq2SeqTrainer;
import io.sparkrnn.engine.testutil.CmudictPairs;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The two exported seq2seq graphs run in ONNX Runtime: greedy decoding driven from Java (encoder once, then the
 * decoder step fed its own state and argmax) gives the same tokens as {@link Seq2SeqDecoding#greedy}, and the
 * decoder step under teacher forcing gives the engine's logits within 1e-4 at every valid step. Data: words of
 * the CMUdict sample (letters to phonemes, stress digits stripped), for random-initialised models and for
 * models trained briefly on the first 2,000 words.
 */
class OnnxSeq2SeqExportTest {
    private static final double TOLERANCE = 1e-4;
    private static final int PAD = CmudictPairs.PAD;
    private static final int BOS = CmudictPairs.BOS;
    private static final int EOS = CmudictPairs.EOS;
    private static OrtEnvironment env;
    private static List<int[]> words;
    private static List<int[]> phones;
    private static int srcVocab;
    private static int tgtVocab;

    @BeforeAll
    static void setUp() {
        env = OrtEnvironment.getEnvironment();
        CmudictPairs c = CmudictPairs.read();
        words = c.words();
        phones = c.phones();
        srcVocab = c.sourceVocab();
        tgtVocab = c.targetVocab();
    }

    private static Seq2SeqSpec spec(CellType cell, int encLayers, boolean bidi, int decHidden, int decLayers,
            Attention att, boolean feed) {
        return new Seq2SeqSpec(srcVocab, tgtVocab, 12, 10, cell, 16, encLayers, bidi, decHidden, decLayers, 0.0, att,
                feed, PAD, BOS, EOS, 20, 1.5);
    }

    @Test
    void randomLstmGeneralAttentionInputFeedingBidirectionalTwoLayerEncoder() throws OrtException {
        compare(spec(CellType.LSTM, 2, true, 20, 1, Attention.GENERAL, true), null);
    }

    @Test
    void randomGruWithoutAttentionTwoLayerDecoder() throws OrtException {
        compare(spec(CellType.GRU, 1, true, 18, 2, Attention.NONE, false), null);
    }

    @Test
    void randomRnnDotAttentionAndGruGeneralWithoutFeeding() throws OrtException {
        compare(spec(CellType.RNN_TANH, 2, true, 32, 2, Attention.DOT, true), null);
        compare(spec(CellType.GRU, 2, false, 16, 2, Attention.GENERAL, false), null);
    }

    @Test
    void trainedLstmGeneralAttentionAndGruWithoutAttention() throws OrtException {
        compare(spec(CellType.LSTM, 1, true, 24, 1, Attention.GENERAL, true), 120);
        compare(spec(CellType.GRU, 1, true, 24, 1, Attention.NONE, false), 120);
    }

    @Test
    void writesBothGraphsAndAConfigWithTheSpecialIds(@TempDir Path tmp) throws Exception {
        Seq2SeqSpec spec = spec(CellType.LSTM, 1, true, 16, 2, Attention.GENERAL, true);
        FlatParams params = new Seq2SeqModel(spec).initParams(3, DataType.FLOAT);
        OnnxSeq2SeqExport.write(tmp, spec, params, 7, "test", "doc", Map.of("vocab-target.txt", "\"<pad>\"\n"),
                Map.of("task", "seq2seq"));
        JsonNode c = new ObjectMapper().readTree(tmp.resolve(OnnxSeq2SeqExport.CONFIG).toFile());
        assertEquals("spark-rnn-onnx-seq2seq", c.get("format").asText());
        assertEquals("general", c.get("attention").asText());
        assertEquals(List.of(PAD, BOS, EOS, 7), List.of(c.get("pad_id").asInt(), c.get("bos_id").asInt(),
                c.get("eos_id").asInt(), c.get("unk_id").asInt()));
        assertEquals("[\"h\",\"c\",\"feed\"]", c.get("decoder_step").get("state").toString());
        assertEquals("[\"memory\",\"h\",\"c\",\"feed\"]", c.get("encoder").get("outputs").toString());
        assertEquals("seq2seq", c.get("spark_rnn").get("task").asText());
        for (String file : List.of(OnnxSeq2SeqExport.ENCODER, OnnxSeq2SeqExport.DECODER)) {
            try (OrtSession s = env.createSession(tmp.resolve(file).toString(), new OrtSession.SessionOptions())) {
                Map<String, String> meta = s.getMetadata().getCustomMetadata();
                assertEquals("\"<pad>\"\n", meta.get("vocab-target.txt"), file);
                assertEquals("7", meta.get("spark-rnn.unk_id"), file);
                assertEquals(Integer.toString(BOS), meta.get("spark-rnn.bos_id"), file);
                assertEquals(Integer.toString(EOS), meta.get("spark-rnn.eos_id"), file);
            }
        }
        try (OrtSession s = env.createSession(tmp.resolve(OnnxSeq2SeqExport.ENCODER).toString(),
                new OrtSession.SessionOptions())) {
            assertEquals(List.of("memory", "h", "c", "feed"), new ArrayList<>(s.getOutputNames()));
        }
    }

    /** Exports the model (trained for {@code steps} steps of 32 words, or random when null) and compares. */
    private void compare(Seq2SeqSpec spec, Integer steps) throws OrtException {
        Seq2SeqModel model = new Seq2SeqModel(spec);
        FlatParams params = model.initParams(spec.hashCode(), DataType.FLOAT);
        if (steps != null) {
            Seq2SeqTrainer trainer = new Seq2SeqTrainer(model, params, OptimizerConfig.adam().create(
                    params.layout().size(), DataType.FLOAT), LrSchedule.constant(5e-3), ClipConfig.byNorm(1.0), 7);
            for (int s = 0; s < steps; s++) {
                int at = (s * 32) % 2_000;
                trainer.step(new Seq2SeqBatch(words.subList(at, at + 32), phones.subList(at, at + 32)));
            }
        }
        List<int[]> src = new ArrayList<>();
        List<int[]> tgt = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            src.add(words.get(3_000 + 37 * i));
            tgt.add(phones.get(3_000 + 37 * i));
        }
        OnnxSeq2SeqExport.Graphs graphs = OnnxSeq2SeqExport.export(spec, params, "test", "", Map.of("k", "v"));
        try (OrtSession enc = env.createSession(graphs.encoder(), new OrtSession.SessionOptions());
             OrtSession dec = env.createSession(graphs.decoderStep(), new OrtSession.SessionOptions())) {
            assertEquals(List.of("source", "source_lengths"), new ArrayList<>(enc.getInputNames()));
            assertEquals(OnnxSeq2SeqExport.decoderInputs(spec), new ArrayList<>(dec.getInputNames()));
            assertEquals(OnnxSeq2SeqExport.decoderOutputs(spec), new ArrayList<>(dec.getOutputNames()));
            assertEquals("v", dec.getMetadata().getCustomMetadata().get("k"));

            double[][][] ours = Seq2SeqDecoding.teacherForcedLogits(model, params, src, tgt);
            double[] maxDiff = {0};
            run(spec, enc, dec, src, (t, prev) -> {
                int[] in = new int[src.size()];
                for (int r = 0; r < in.length; r++) {
                    int[] y = tgt.get(r);
                    in[r] = t == 0 ? BOS : y[Math.min(t, y.length) - 1];
                }
                return in;
            }, tgt.stream().mapToInt(y -> y.length + 1).max().orElseThrow(), (t, logits) -> {
                for (int r = 0; r < logits.length; r++) {
                    if (t < ours[r].length) {
                        for (int k = 0; k < logits[r].length; k++) {
                            maxDiff[0] = Math.max(maxDiff[0], Math.abs(logits[r][k] - ours[r][t][k]));
                        }
                    }
                }
            });
            double max = maxDiff[0];
            int[] limit = src.stream().mapToInt(x -> spec.maxTargetLength(x.length)).toArray();

            List<Hypothesis> greedy = Seq2SeqDecoding.greedy(model, params, src, 0);
            List<int[]> theirs = greedyOnnx(spec, enc, dec, src, limit);
            int words = 0;
            for (int r = 0; r < src.size(); r++) {
                assertArrayEquals(greedy.get(r).tokens(), theirs.get(r), "row " + r + " of " + spec);
                words += greedy.get(r).finished() ? 1 : 0;
            }
            System.out.printf("seq2seq %s enc %dx%s dec %d %s feed=%b %s: max |ours - onnxruntime| logits = %.3g; "
                    + "greedy equal on %d words (%d ended with eos)%n", spec.cell(), spec.encoderLayers(),
                    spec.bidirectional() ? "bi" : "uni", spec.decoderLayers(), spec.attention(), spec.inputFeeding(),
                    steps == null ? "random" : "trained " + steps + " steps", max, src.size(), words);
            assertTrue(max <= TOLERANCE, spec + ": max abs logit difference " + max + " > " + TOLERANCE);
        }
    }

    /** Picks the decoder's input tokens at step t from the previous step's outputs. */
    private interface Inputs {
        int[] at(int t, int[] previousArgmax);
    }

    /** Receives each step's logits {@code [B][V]}. */
    private interface Sink {
        void accept(int t, float[][] logits);
    }

    /** Greedy decoding through the two graphs, stopping each row as Seq2SeqDecoding.greedy does. */
    private static List<int[]> greedyOnnx(Seq2SeqSpec spec, OrtSession enc, OrtSession dec, List<int[]> src,
            int[] limit) throws OrtException {
        int b = src.size();
        List<List<Integer>> out = new ArrayList<>();
        boolean[] done = new boolean[b];
        for (int r = 0; r < b; r++) {
            out.add(new ArrayList<>());
        }
        int maxLen = java.util.Arrays.stream(limit).max().orElseThrow();
        run(spec, enc, dec, src, (t, prev) -> t == 0 ? filled(b, BOS) : prev, maxLen, (t, logits) -> {
            for (int r = 0; r < b; r++) {
                int best = argmax(logits[r]);
                if (done[r]) {
                    continue;
                }
                if (best == EOS) {
                    done[r] = true;
                } else {
                    out.get(r).add(best);
                    done[r] = out.get(r).size() >= limit[r];
                }
            }
        });
        return out.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
    }

    /**
     * Runs the encoder on {@code src}, then {@code steps} decoder steps whose inputs are chosen by {@code inputs}
     * (from the previous step's argmax) and whose state is the previous step's {@code *_out}.
     */
    private static void run(Seq2SeqSpec spec, OrtSession enc, OrtSession dec, List<int[]> src, Inputs inputs,
            int steps, Sink sink) throws OrtException {
        int b = src.size();
        int s = src.stream().mapToInt(x -> x.length).max().orElseThrow();
        long[] tokens = new long[b * s];
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            lengths[r] = src.get(r).length;
            for (int t = 0; t < lengths[r]; t++) {
                tokens[r * s + t] = src.get(r)[t];
            }
        }
        List<AutoCloseable> open = new ArrayList<>();
        try {
            OnnxTensor source = track(open, OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {b, s}));
            OnnxTensor lens = track(open, OnnxTensor.createTensor(env, IntBuffer.wrap(lengths), new long[] {b}));
            OrtSession.Result encoded = track(open, enc.run(Map.of("source", source, "source_lengths", lens)));
            Map<String, OnnxTensor> state = new HashMap<>();
            for (String name : OnnxSeq2SeqExport.stateNames(spec)) {
                state.put(name, (OnnxTensor) encoded.get(name).orElseThrow());
            }
            int[] prev = new int[b];
            for (int t = 0; t < steps; t++) {
                long[] in = java.util.Arrays.stream(inputs.at(t, prev)).asLongStream().toArray();
                Map<String, OnnxTensor> feed = new HashMap<>(state);
                feed.put("token", track(open, OnnxTensor.createTensor(env, LongBuffer.wrap(in), new long[] {b})));
                if (spec.attention() != Attention.NONE) {
                    feed.put("memory", (OnnxTensor) encoded.get("memory").orElseThrow());
                    feed.put("source_lengths", lens);
                }
                OrtSession.Result r = track(open, dec.run(feed));
                float[][] logits = (float[][]) r.get("logits").orElseThrow().getValue();
                sink.accept(t, logits);
                for (int row = 0; row < b; row++) {
                    prev[row] = argmax(logits[row]);
                }
                for (String name : OnnxSeq2SeqExport.stateNames(spec)) {
                    OnnxValue v = r.get(name + "_out").orElseThrow();
                    state.put(name, (OnnxTensor) v);
                }
            }
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot close an ONNX Runtime value", e);
                }
            }
        }
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> open, T value) {
        open.add(value);
        return value;
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int j = 1; j < x.length; j++) {
            if (x[j] > x[best]) {
                best = j;
            }
        }
        return best;
    }
}
