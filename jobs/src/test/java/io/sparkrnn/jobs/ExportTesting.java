package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sparkrnn.driver.corpus.classify.ClassificationSettings;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.engine.io.onnx.OnnxSeq2SeqExport;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.seq2seq.Hypothesis;
import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import io.sparkrnn.engine.testutil.BatchMajor;
import io.sparkrnn.engine.testutil.MaxDiff;
import io.sparkrnn.engine.testutil.OnnxSeq2Seq;
import io.sparkrnn.engine.testutil.Torch;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Exports a trained model folder with the {@code export} command in both formats and checks that ONNX Runtime and
 * torch compute the engine's outputs on the given rows (max abs difference <= 1e-4 at every valid step; for
 * seq2seq, teacher-forced logits and greedy outputs). The torch comparison comes last: where no interpreter
 * imports torch ({@link Torch#assumeAvailable()}) it aborts the calling test, which is then
 * reported as skipped, so call these last in a test.
 */
final class ExportTesting {
    static final double TOLERANCE = 1e-4;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ExportTesting() {
    }

    /** A language model on three 60-character slices of the Moby Dick sample. */
    static void languageModel(Path run, Path tmp) throws Exception {
        LmVocabulary vocab = LmVocabulary.of(TrainedModel.open(run.toString()));
        String text = Files.readString(Path.of(MainTest.sample()), StandardCharsets.UTF_8);
        List<int[]> rows = new ArrayList<>();
        for (int at : new int[] {10_000, 50_000, 200_000}) {
            rows.add(Arrays.copyOf(vocab.encode(text.substring(at, at + 200), null), 60));
        }
        tokensMatch(run, tmp, rows);
    }

    /**
     * A tagger on the first eight sentences of a Brown file (lower-cased words, the model's vocabulary; cut into the
     * model's pieces when it has merges).
     */
    static void tagger(Path run, Path tmp, String brownFile) throws Exception {
        TrainedModel model = TrainedModel.open(run.toString());
        Vocabulary words = Vocabulary.fromText(model.file("vocab-words.txt"), "words");
        io.sparkrnn.driver.corpus.text.bpe.Bpe bpe = TaggingTask.inputMerges(model);
        List<int[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(brownFile))) {
            if (!line.isBlank() && rows.size() < 8) {
                String[] w = line.trim().split("\\s+");
                for (int i = 0; i < w.length; i++) {
                    w[i] = w[i].substring(0, w[i].lastIndexOf('/')).toLowerCase(Locale.ROOT);
                }
                rows.add(words.encode(bpe == null ? w : bpe.encode(w)));
            }
        }
        tokensMatch(run, tmp, rows);
    }

    /** A classifier on the first documents of a folder, tokenised as the model was trained. */
    static void classifier(Path run, Path tmp, Path folder) throws Exception {
        TrainedModel m = TrainedModel.open(run.toString());
        Vocabulary words = Vocabulary.fromText(m.file("vocab-words.txt"), "words");
        ClassificationSettings.Tokenizer tok = ClassificationTask.tokenizer(m.settings());
        List<int[]> rows = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.sorted().limit(6).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                int[] ids = words.encode(tok.tokens(text));
                rows.add(Arrays.copyOf(ids, Math.min(ids.length, 20 + 17 * rows.size())));
            }
        }
        tokensMatch(run, tmp, rows);
    }

    /**
     * A forecaster on five 28-day windows from the US births CSV: the z-scored births, then as many further
     * inputs as the model has features (its calendar covariates), here 0/1 indicators of the day of week.
     */
    static void forecaster(Path run, Path tmp, Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv).subList(1, 400);
        double[] births = lines.stream().mapToDouble(l -> Double.parseDouble(l.split(",")[4])).toArray();
        double mean = Arrays.stream(births).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(births).map(v -> (v - mean) * (v - mean)).average().orElseThrow());
        int features = TrainedModel.open(run.toString()).model(SequenceModel.class).spec().featureSize();
        float[][][] windows = new float[5][28][features];
        for (int r = 0; r < 5; r++) {
            for (int s = 0; s < 28; s++) {
                String[] f = lines.get(r * 70 + s).split(",");
                windows[r][s][0] = (float) ((Double.parseDouble(f[4]) - mean) / sd);
                int dow = Integer.parseInt(f[3].strip());
                for (int k = 1; k < features; k++) {
                    windows[r][s][k] = (dow + k) % 7 == 0 ? 1f : 0f;
                }
            }
        }
        featuresMatch(run, tmp, windows);
    }

    /**
     * An encoder-decoder model on {@code sources} and their {@code targets}: the ONNX folder driven from Java (the
     * encoder once, then the decoder step fed its own state) and the torch module give the engine's teacher-forced
     * logits within 1e-4 and its greedy outputs token for token.
     */
    static void seq2seq(Path run, Path tmp, List<int[]> sources, List<int[]> targets) throws Exception {
        TrainedModel m = TrainedModel.open(run.toString());
        Seq2SeqModel model = m.model(Seq2SeqModel.class);
        Seq2SeqSpec spec = model.spec();
        double[][][] ours = Seq2SeqDecoding.teacherForcedLogits(model, m.loaded().params(), sources, targets);
        List<Hypothesis> greedy = Seq2SeqDecoding.greedy(model, m.loaded().params(), sources, 0);

        Path onnx = tmp.resolve("seq2seq-onnx");
        TaskTesting.ok("export", m.dir().toString(), "--format", "onnx", "--out", onnx.toString());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession enc = env.createSession(onnx.resolve(OnnxSeq2SeqExport.ENCODER).toString(),
                new OrtSession.SessionOptions());
             OrtSession dec = env.createSession(onnx.resolve(OnnxSeq2SeqExport.DECODER).toString(),
                     new OrtSession.SessionOptions())) {
            assertEquals(m.dir().resolve(Seq2SeqTask.SOURCE).readString(),
                    dec.getMetadata().getCustomMetadata().get(Seq2SeqTask.SOURCE));
            double onnxMax = OnnxSeq2Seq.teacherForcedMaxDiff(spec, enc, dec, sources, targets, ours);
            List<int[]> theirs = OnnxSeq2Seq.greedy(spec, enc, dec, sources);
            for (int r = 0; r < sources.size(); r++) {
                assertArrayEquals(greedy.get(r).tokens(), theirs.get(r), "onnx greedy, source " + r);
            }
            System.out.printf("export seq2seq: max |engine - onnxruntime| logits = %.3g; greedy equal on %d sources%n",
                    onnxMax, sources.size());
            assertTrue(onnxMax <= TOLERANCE, "seq2seq: onnx differs by " + onnxMax);
        }

        Path torch = tmp.resolve("seq2seq-torch");
        TaskTesting.ok("export", m.dir().toString(), "--format", "pytorch", "--out", torch.toString());
        Torch.assumeAvailable();
        JsonNode t = Torch.seq2seq(List.of(torch), sources, targets, spec.beginId(), tmp).get(0);
        double torchMax = MaxDiff.logits(ours, t.get("logits"));
        for (int r = 0; r < sources.size(); r++) {
            assertArrayEquals(greedy.get(r).tokens(), JSON.convertValue(t.get("greedy").get(r), int[].class),
                    "torch greedy, source " + r);
        }
        System.out.printf("export seq2seq: max |engine - torch| logits = %.3g; greedy equal on %d sources%n", torchMax,
                sources.size());
        assertTrue(torchMax <= TOLERANCE, "seq2seq: torch differs by " + torchMax);
    }

    /** Token models: {@code rows} of token ids (all of one length for a model without a padding id). */
    static void tokensMatch(Path run, Path tmp, List<int[]> rows) throws Exception {
        TrainedModel m = TrainedModel.open(run.toString());
        SequenceSpec spec = m.model(SequenceModel.class).spec();
        boolean aligned = spec.topology() == SequenceSpec.Topology.ALIGNED;
        int pad = Math.max(spec.paddingId(), 0);
        SequenceBatch batch = aligned
                ? SequenceBatch.padAligned(rows, rows.stream().map(r -> new int[r.length]).toList(), pad, -100)
                : SequenceBatch.padPooled(rows, new int[rows.size()], pad);
        Map<String, Object> input = new HashMap<>();
        input.put("tokens", BatchMajor.tokens(batch));
        if (spec.paddingId() >= 0) {
            input.put("lengths", batch.lengths());
        }
        compare(m, tmp, batch, input, rows.stream().mapToInt(r -> r.length).toArray());
    }

    /** Feature models: {@code windows [B][T][F]}, all of T steps. */
    static void featuresMatch(Path run, Path tmp, float[][][] windows) throws Exception {
        TrainedModel m = TrainedModel.open(run.toString());
        SequenceSpec spec = m.model(SequenceModel.class).spec();
        int b = windows.length;
        int t = windows[0].length;
        int f = spec.featureSize();
        float[] x = new float[t * b * f];
        for (int r = 0; r < b; r++) {
            for (int s = 0; s < t; s++) {
                System.arraycopy(windows[r][s], 0, x, (s * b + r) * f, f);
            }
        }
        int[] lengths = new int[b];
        Arrays.fill(lengths, t);
        SequenceBatch batch = SequenceBatch.pooledFeatures(t, b, f, x, lengths, new float[b * spec.outputSize()],
                spec.outputSize());
        compare(m, tmp, batch, Map.of("features", windows), lengths);
    }

    private static void compare(TrainedModel m, Path tmp, SequenceBatch batch, Map<String, Object> input,
            int[] lengths) throws Exception {
        SequenceModel model = m.model(SequenceModel.class);
        SequenceSpec spec = model.spec();
        FlatParams params = m.loaded().params();
        float[] ours = model.predict(params, batch, model.initialState(batch.batchSize(), DataType.FLOAT))
                .castTo(DataType.FLOAT).dup('c').data().asFloat();
        String name = m.task().name();
        Path onnx = tmp.resolve(name + ".onnx");
        TaskTesting.ok("export", m.dir().toString(), "--format", "onnx", "--out", onnx.toString());
        Object theirs = runOnnx(onnx, spec, input, m);
        double onnxMax = MaxDiff.outputs(spec, ours, JSON.valueToTree(theirs), lengths);
        System.out.printf("export %s: max |engine - onnxruntime| = %.3g%n", name, onnxMax);
        assertTrue(onnxMax <= TOLERANCE, name + ": onnx differs by " + onnxMax);

        Path torch = tmp.resolve(name + "-torch");
        TaskTesting.ok("export", m.dir().toString(), "--format", "pytorch", "--out", torch.toString());
        for (String f : List.of("model.py", "config.json", "model.safetensors", "config.conf", "model.json")) {
            assertTrue(Files.exists(torch.resolve(f)), f + " in " + torch);
        }
        Torch.assumeAvailable();
        double torchMax = MaxDiff.outputs(spec, ours, Torch.forward(List.of(torch), input, tmp).get(0), lengths);
        System.out.printf("export %s: max |engine - torch| = %.3g%n", name, torchMax);
        assertTrue(torchMax <= TOLERANCE, name + ": torch differs by " + torchMax);
    }

    private static Object runOnnx(Path file, SequenceSpec spec, Map<String, Object> input, TrainedModel m)
            throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> in = new HashMap<>();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            Map<String, String> meta = s.getMetadata().getCustomMetadata();
            assertEquals(m.task().name(), meta.get("spark-rnn.task"));
            assertEquals(m.dir().resolve("model.json").readString(), meta.get("model.json"));
            for (Map.Entry<String, Object> e : input.entrySet()) {
                if (e.getValue() instanceof long[][] tokens) {
                    long[] flat = Arrays.stream(tokens).flatMapToLong(Arrays::stream).toArray();
                    in.put(e.getKey(), OnnxTensor.createTensor(env, LongBuffer.wrap(flat),
                            new long[] {tokens.length, tokens[0].length}));
                } else if (e.getValue() instanceof int[] lengths) {
                    in.put(e.getKey(), OnnxTensor.createTensor(env, IntBuffer.wrap(lengths), new long[] {lengths.length}));
                } else {
                    in.put(e.getKey(), OnnxTensor.createTensor(env, e.getValue()));
                }
            }
            try (OrtSession.Result r = s.run(in)) {
                return r.get(0).getValue();
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }
}
