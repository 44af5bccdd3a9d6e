package io.sparkrnn.engine.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.sparkrnn.engine.testutil.OnnxSeq2Seq;
import java.nio.file.Path;
import java.util.ArrayList;
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
    void trainedTiedEmbeddingsReadTheTargetEmbeddingInTheOutputLayer() throws OrtException {
        compare(spec(CellType.LSTM, 1, true, 10, 1, Attention.GENERAL, true).withTiedEmbeddings(true), 80);
        compare(spec(CellType.GRU, 1, false, 10, 2, Attention.NONE, false).withTiedEmbeddings(true), null);
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
            double max = OnnxSeq2Seq.teacherForcedMaxDiff(spec, enc, dec, src, tgt, ours);

            List<Hypothesis> greedy = Seq2SeqDecoding.greedy(model, params, src, 0);
            List<int[]> theirs = OnnxSeq2Seq.greedy(spec, enc, dec, src);
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
}
