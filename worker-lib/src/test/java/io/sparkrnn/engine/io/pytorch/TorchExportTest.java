package io.sparkrnn.engine.io.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.io.SafeTensors;
import io.sparkrnn.engine.io.SafeTensorsFile;
import io.sparkrnn.engine.io.TensorInfo;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.seq2seq.Hypothesis;
import io.sparkrnn.engine.seq2seq.Seq2SeqBatch;
import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import io.sparkrnn.engine.seq2seq.Seq2SeqTrainer;
import io.sparkrnn.engine.testutil.BatchMajor;
import io.sparkrnn.engine.testutil.CmudictPairs;
import io.sparkrnn.engine.testutil.MaxDiff;
import io.sparkrnn.engine.testutil.Samples;
import io.sparkrnn.engine.testutil.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.opentest4j.TestAbortedException;

/**
 * The PyTorch export: file contents always; and, where {@link Torch#PYTHON} has torch (else reported skipped), the
 * generated module run on rows of the Moby Dick sample against the engine's forward pass, and its encoder-decoder
 * on CMUdict words against the engine's teacher-forced logits (max abs difference <= 1e-4) and greedy outputs.
 */
class TorchExportTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int[] LENGTHS = {23, 9, 17, 1};

    @TempDir
    Path tmp;

    @Test
    void filesHoldTheSpecAndTheWeightsUnderTorchNames() throws IOException {
        SequenceSpec spec = SequenceSpec.classifier(40, 8, 0, CellType.GRU, 12, 2, true, 0.1, SequenceSpec.Pooling.MEAN, 3);
        SequenceModel model = new SequenceModel(spec);
        FlatParams params = model.initParams(5, DataType.FLOAT);
        TorchExport.write(tmp, spec, params, Map.of("task", "classify"));

        JsonNode c = JSON.readTree(tmp.resolve(TorchExport.CONFIG).toFile());
        assertEquals("spark-rnn-pytorch", c.get("format").asText());
        assertEquals("gru", c.get("cell").asText());
        assertEquals(40, c.get("vocab_size").asInt());
        assertEquals(0, c.get("padding_idx").asInt());
        assertEquals(2, c.get("num_layers").asInt());
        assertTrue(c.get("bidirectional").asBoolean());
        assertEquals("pooled", c.get("topology").asText());
        assertEquals("mean", c.get("pooling").asText());
        assertEquals("classify", c.get("spark_rnn").get("task").asText());

        SafeTensorsFile f = SafeTensors.read(tmp.resolve(TorchExport.WEIGHTS));
        List<String> names = f.tensors().stream().map(TensorInfo::name).toList();
        assertEquals(List.of("embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0",
                "rnn.bias_hh_l0", "rnn.weight_ih_l0_reverse", "rnn.weight_hh_l0_reverse", "rnn.bias_ih_l0_reverse",
                "rnn.bias_hh_l0_reverse", "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1",
                "rnn.weight_ih_l1_reverse", "rnn.weight_hh_l1_reverse", "rnn.bias_ih_l1_reverse",
                "rnn.bias_hh_l1_reverse", "head.weight", "head.bias"), names);
        for (ParamLayout.Entry e : params.layout().entries()) {
            assertArrayEquals(e.shape(), f.get(e.name()).shape(), e.name());
            assertArrayEquals(params.view(e).dup().data().asFloat(), f.get(e.name()).dup().data().asFloat(), e.name());
        }
        assertEquals(TorchExport.module(), Files.readString(tmp.resolve(TorchExport.MODULE)));
        assertTrue(TorchExport.module().contains("def load(folder=None):"));
    }

    @Test
    void generatedModuleComputesOurOutputsInTorch() throws Exception {
        Torch.assumeAvailable();
        String text = Samples.text("moby-dick/moby-dick.txt").substring(5_000, 6_000);
        int[] all = text.chars().map(ch -> 1 + Math.floorMod(ch, 60)).toArray();
        List<int[]> rows = new ArrayList<>();
        for (int r = 0; r < LENGTHS.length; r++) {
            rows.add(Arrays.copyOfRange(all, r * 40, r * 40 + LENGTHS[r]));
        }
        List<SequenceSpec> specs = List.of(
                SequenceSpec.tagger(61, 10, 0, CellType.LSTM, 14, 2, true, 0.2, 6),
                SequenceSpec.tagger(61, 10, 0, CellType.GRU, 14, 1, false, 0, 4),
                SequenceSpec.tagger(61, 10, 0, CellType.RNN_TANH, 14, 2, true, 0, 4),
                SequenceSpec.classifier(61, 10, 0, CellType.LSTM, 14, 2, true, 0, SequenceSpec.Pooling.LAST, 3),
                SequenceSpec.classifier(61, 10, 0, CellType.GRU, 14, 2, true, 0, SequenceSpec.Pooling.MEAN, 2),
                SequenceSpec.classifier(61, 10, 0, CellType.RNN_TANH, 14, 1, false, 0, SequenceSpec.Pooling.LAST, 2));
        List<float[]> ours = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        SequenceBatch aligned = SequenceBatch.padAligned(rows, rows.stream().map(r -> new int[r.length]).toList(), 0,
                -100);
        for (int i = 0; i < specs.size(); i++) {
            SequenceSpec spec = specs.get(i);
            SequenceModel model = new SequenceModel(spec);
            FlatParams params = model.initParams(100 + i, DataType.FLOAT);
            Path dir = Files.createDirectories(tmp.resolve("m" + i));
            TorchExport.write(dir, spec, params, Map.of());
            dirs.add(dir);
            SequenceBatch batch = spec.topology() == SequenceSpec.Topology.ALIGNED ? aligned
                    : SequenceBatch.padPooled(rows, new int[rows.size()], 0);
            ours.add(model.predict(params, batch, model.initialState(batch.batchSize(), DataType.FLOAT))
                    .castTo(DataType.FLOAT).dup('c').data().asFloat());
        }
        // one python process for all models
        JsonNode outputs = Torch.forward(dirs, Map.of("tokens", BatchMajor.tokens(aligned), "lengths", aligned.lengths()),
                tmp);
        for (int i = 0; i < specs.size(); i++) {
            SequenceSpec spec = specs.get(i);
            double max = MaxDiff.outputs(spec, ours.get(i), outputs.get(i), LENGTHS);
            System.out.printf("torch %s %s layers=%d bidirectional=%b %s: max |ours - torch| = %.3g%n", spec.cell(),
                    spec.topology(), spec.numLayers(), spec.bidirectional(), spec.pooling(), max);
            assertTrue(max <= 1e-4, spec + ": max abs difference " + max);
        }
    }

    /** Where the interpreter cannot import torch, a comparison aborts its test (reported as skipped), never passes. */
    @Test
    void anInterpreterWithoutTorchAbortsTheComparison() {
        String python = tmp.resolve("no-such-python3").toString();
        TestAbortedException e = assertThrows(TestAbortedException.class, () -> Torch.assumeAvailable(python));
        assertTrue(e.getMessage().contains(python + " cannot import torch"), e.getMessage());
    }

    @Test
    void seq2seqFilesHoldTheSpecAndTheWeightsUnderTorchNames() throws IOException {
        Seq2SeqSpec spec = Seq2SeqSpec.of(30, 20, 6, CellType.LSTM, 8, 2, true, Seq2SeqSpec.Attention.GENERAL, true);
        FlatParams params = new Seq2SeqModel(spec).initParams(5, DataType.FLOAT);
        TorchExport.write(tmp, spec, params, 9, Map.of("task", "seq2seq"));
        JsonNode c = JSON.readTree(tmp.resolve(TorchExport.CONFIG).toFile());
        assertEquals("spark-rnn-pytorch", c.get("format").asText());
        assertEquals("seq2seq", c.get("model").asText());
        assertEquals("general", c.get("attention").asText());
        assertEquals(16, c.get("encoder_output_width").asInt());
        assertEquals(9, c.get("unk_id").asInt());
        assertEquals("seq2seq", c.get("spark_rnn").get("task").asText());
        SafeTensorsFile f = SafeTensors.read(tmp.resolve(TorchExport.WEIGHTS));
        assertEquals(params.layout().entries().stream().map(ParamLayout.Entry::name).toList(),
                f.tensors().stream().map(TensorInfo::name).toList());
        assertEquals(List.of("src_embedding.weight", "encoder.weight_ih_l0"), f.tensors().stream().limit(2)
                .map(TensorInfo::name).toList());
        for (ParamLayout.Entry e : params.layout().entries()) {
            assertArrayEquals(params.view(e).dup().data().asFloat(), f.get(e.name()).dup().data().asFloat(), e.name());
        }
        assertTrue(TorchExport.module().contains("class Seq2SeqModel(nn.Module):"));
    }

    /**
     * model.py's Seq2SeqModel in torch on CMUdict words: teacher-forced logits within 1e-4 of the engine's and the
     * same greedy outputs, for random models of every cell and attention and one trained briefly.
     */
    @Test
    void generatedSeq2SeqModuleComputesOurLogitsAndGreedyOutputsInTorch() throws Exception {
        Torch.assumeAvailable();
        CmudictPairs data = CmudictPairs.read();
        List<int[]> src = new ArrayList<>();
        List<int[]> tgt = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            src.add(data.words().get(2_500 + 53 * i));
            tgt.add(data.phones().get(2_500 + 53 * i));
        }
        int v = data.sourceVocab();
        int w = data.targetVocab();
        List<Seq2SeqSpec> specs = List.of(
                new Seq2SeqSpec(v, w, 10, 8, CellType.LSTM, 12, 2, true, 14, 1, 0.2, Seq2SeqSpec.Attention.GENERAL,
                        true, 0, 1, 2, 20, 1.5),
                new Seq2SeqSpec(v, w, 10, 8, CellType.GRU, 12, 1, true, 14, 2, 0, Seq2SeqSpec.Attention.NONE,
                        false, 0, 1, 2, 20, 1.5),
                Seq2SeqSpec.of(v, w, 10, CellType.RNN_TANH, 12, 2, true, Seq2SeqSpec.Attention.DOT, true),
                Seq2SeqSpec.of(v, w, 16, CellType.LSTM, 24, 1, true, Seq2SeqSpec.Attention.GENERAL, true));
        List<double[][][]> logits = new ArrayList<>();
        List<List<Hypothesis>> greedy = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Seq2SeqModel model = new Seq2SeqModel(specs.get(i));
            FlatParams params = model.initParams(200 + i, DataType.FLOAT);
            if (i == specs.size() - 1) {
                Seq2SeqTrainer trainer = new Seq2SeqTrainer(model, params, OptimizerConfig.adam().create(
                        params.layout().size(), DataType.FLOAT), LrSchedule.constant(5e-3), ClipConfig.byNorm(1.0), 3);
                for (int s = 0; s < 100; s++) {
                    int at = s * 20;
                    trainer.step(new Seq2SeqBatch(data.words().subList(at, at + 20), data.phones().subList(at, at + 20)));
                }
            }
            Path dir = Files.createDirectories(tmp.resolve("s" + i));
            TorchExport.write(dir, specs.get(i), params, -1, Map.of());
            dirs.add(dir);
            logits.add(Seq2SeqDecoding.teacherForcedLogits(model, params, src, tgt));
            greedy.add(Seq2SeqDecoding.greedy(model, params, src, 0));
        }
        JsonNode outputs = Torch.seq2seq(dirs, src, tgt, CmudictPairs.BOS, tmp);
        for (int i = 0; i < specs.size(); i++) {
            double max = MaxDiff.logits(logits.get(i), outputs.get(i).get("logits"));
            int finished = 0;
            for (int r = 0; r < src.size(); r++) {
                int[] g = JSON.convertValue(outputs.get(i).get("greedy").get(r), int[].class);
                assertArrayEquals(greedy.get(i).get(r).tokens(), g, "greedy row " + r + " of " + specs.get(i));
                finished += greedy.get(i).get(r).finished() ? 1 : 0;
            }
            System.out.printf("torch seq2seq %s %s feed=%b: max |ours - torch| logits = %.3g; greedy equal on %d "
                    + "words (%d ended with eos)%n", specs.get(i).cell(), specs.get(i).attention(),
                    specs.get(i).inputFeeding(), max, src.size(), finished);
            assertTrue(max <= 1e-4, specs.get(i) + ": max abs difference " + max);
        }
    }

    /**
     * Tied embeddings: the one matrix is written as both tgt_embedding.weight and out.weight (and the other tensors
     * as they are), so model.py loads it as an untied module; with torch, that module computes our logits and
     * greedy outputs.
     */
    @Test
    void tiedSeq2SeqWritesTheSharedMatrixUnderBothNames() throws Exception {
        CmudictPairs data = CmudictPairs.read();
        Seq2SeqSpec spec = new Seq2SeqSpec(data.sourceVocab(), data.targetVocab(), 10, 14, CellType.LSTM, 12, 1, true,
                14, 1, 0, Seq2SeqSpec.Attention.GENERAL, true, 0, 1, 2, 20, 1.5).withTiedEmbeddings(true);
        Seq2SeqModel model = new Seq2SeqModel(spec);
        FlatParams params = model.initParams(211, DataType.FLOAT);
        Seq2SeqTrainer trainer = new Seq2SeqTrainer(model, params, OptimizerConfig.adam().create(
                params.layout().size(), DataType.FLOAT), LrSchedule.constant(5e-3), ClipConfig.byNorm(1.0), 3);
        for (int s = 0; s < 60; s++) {
            trainer.step(new Seq2SeqBatch(data.words().subList(s * 20, s * 20 + 20),
                    data.phones().subList(s * 20, s * 20 + 20)));
        }
        Path dir = Files.createDirectories(tmp.resolve("tied"));
        TorchExport.write(dir, spec, params, -1, Map.of());
        SafeTensorsFile f = SafeTensors.read(dir.resolve(TorchExport.WEIGHTS));
        assertEquals(params.layout().entries().size() + 1, f.tensors().size());
        assertEquals(params.view("tgt_embedding.weight"), f.get("out.weight"));
        for (ParamLayout.Entry e : params.layout().entries()) {
            assertEquals(params.view(e.name()), f.get(e.name()), e.name());
        }
        JsonNode config = JSON.readTree(dir.resolve(TorchExport.CONFIG).toFile());
        assertTrue(config.get("tie_embeddings").asBoolean());
        Torch.assumeAvailable();
        List<int[]> src = new ArrayList<>();
        List<int[]> tgt = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            src.add(data.words().get(2_500 + 53 * i));
            tgt.add(data.phones().get(2_500 + 53 * i));
        }
        JsonNode outputs = Torch.seq2seq(List.of(dir), src, tgt, CmudictPairs.BOS, tmp);
        double max = MaxDiff.logits(Seq2SeqDecoding.teacherForcedLogits(model, params, src, tgt),
                outputs.get(0).get("logits"));
        assertTrue(max <= 1e-4, "tied: max abs difference " + max);
        List<Hypothesis> greedy = Seq2SeqDecoding.greedy(model, params, src, 0);
        for (int r = 0; r < src.size(); r++) {
            assertArrayEquals(greedy.get(r).tokens(), JSON.convertValue(outputs.get(0).get("greedy").get(r),
                    int[].class), "greedy row " + r);
        }
    }
}
