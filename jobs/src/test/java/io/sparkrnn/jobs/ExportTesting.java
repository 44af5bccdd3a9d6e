package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sparkrnn.driver.corpus.Vocabulary;
import io.sparkrnn.engine.io.onnx.OnnxSeq2SeqExport;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.seq2seq.Hypothesis;
import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Exports a trained model folder with the {@code export} command in both formats and checks that ONNX Runtime,
 * and torch where {@code /usr/bin/python3} has it, compute the engine's outputs on the given rows (max abs
 * difference <= 1e-4 at every valid step; for seq2seq, teacher-forced logits and greedy outputs).
 */
final class ExportTesting {
    static final double TOLERANCE = 1e-4;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PYTHON = "/usr/bin/python3";

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

    /** A tagger on the first eight sentences of a Brown file (lower-cased words, the model's vocabulary). */
    static void tagger(Path run, Path tmp, String brownFile) throws Exception {
        Vocabulary words = Vocabulary.fromText(TrainedModel.open(run.toString()).file("vocab-words.txt"), "words");
        List<int[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(brownFile))) {
            if (!line.isBlank() && rows.size() < 8) {
                String[] w = line.trim().split("\\s+");
                for (int i = 0; i < w.length; i++) {
                    w[i] = w[i].substring(0, w[i].lastIndexOf('/')).toLowerCase(Locale.ROOT);
                }
                rows.add(words.encode(w));
            }
        }
        tokensMatch(run, tmp, rows);
    }

    /** A classifier on the first documents of a folder, tokenised as the model was trained. */
    static void classifier(Path run, Path tmp, Path folder) throws Exception {
        TrainedModel m = TrainedModel.open(run.toString());
        Vocabulary words = Vocabulary.fromText(m.file("vocab-words.txt"), "words");
        ClassificationTask.Tokenizer tok = ClassificationTask.Tokenizer.of(m.config());
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
        int steps = targets.stream().mapToInt(y -> y.length + 1).max().orElseThrow();
        int[] limit = sources.stream().mapToInt(x -> spec.maxTargetLength(x.length)).toArray();

        Path onnx = tmp.resolve("seq2seq-onnx");
        TaskTesting.ok("export", m.dir().toString(), "--format", "onnx", "--out", onnx.toString());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession enc = env.createSession(onnx.resolve(OnnxSeq2SeqExport.ENCODER).toString(),
                new OrtSession.SessionOptions());
             OrtSession dec = env.createSession(onnx.resolve(OnnxSeq2SeqExport.DECODER).toString(),
                     new OrtSession.SessionOptions())) {
            assertEquals(Files.readString(m.dir().resolve(Seq2SeqTask.SOURCE)),
                    dec.getMetadata().getCustomMetadata().get(Seq2SeqTask.SOURCE));
            float[][][] forced = decodeOnnx(spec, enc, dec, sources, steps, (t, prev) -> {
                int[] in = new int[sources.size()];
                for (int r = 0; r < in.length; r++) {
                    int[] y = targets.get(r);
                    in[r] = t == 0 ? spec.beginId() : y[Math.min(t, y.length) - 1];
                }
                return in;
            });
            double onnxMax = maxDiff(ours, forced);
            float[][][] free = decodeOnnx(spec, enc, dec, sources, Arrays.stream(limit).max().orElseThrow(),
                    (t, prev) -> t == 0 ? filled(sources.size(), spec.beginId()) : prev);
            List<int[]> theirs = greedyTokens(spec, free, limit);
            for (int r = 0; r < sources.size(); r++) {
                assertArrayEquals(greedy.get(r).tokens(), theirs.get(r), "onnx greedy, source " + r);
            }
            System.out.printf("export seq2seq: max |engine - onnxruntime| logits = %.3g; greedy equal on %d sources%n",
                    onnxMax, sources.size());
            assertTrue(onnxMax <= TOLERANCE, "seq2seq: onnx differs by " + onnxMax);
        }

        Path torch = tmp.resolve("seq2seq-torch");
        TaskTesting.ok("export", m.dir().toString(), "--format", "pytorch", "--out", torch.toString());
        if (!torchAvailable()) {
            System.out.println("export seq2seq: torch comparison skipped: " + PYTHON + " cannot import torch");
            return;
        }
        JsonNode t = runTorchSeq2Seq(torch, sources, targets, spec.beginId(), tmp);
        double torchMax = 0;
        for (int r = 0; r < sources.size(); r++) {
            for (int s = 0; s < ours[r].length; s++) {
                for (int k = 0; k < ours[r][s].length; k++) {
                    torchMax = Math.max(torchMax, Math.abs(ours[r][s][k] - t.get("logits").get(r).get(s).get(k).asDouble()));
                }
            }
            assertArrayEquals(greedy.get(r).tokens(), JSON.convertValue(t.get("greedy").get(r), int[].class),
                    "torch greedy, source " + r);
        }
        System.out.printf("export seq2seq: max |engine - torch| logits = %.3g; greedy equal on %d sources%n", torchMax,
                sources.size());
        assertTrue(torchMax <= TOLERANCE, "seq2seq: torch differs by " + torchMax);
    }

    /** The decoder's input tokens at step t, given the previous step's argmax per row. */
    private interface StepInputs {
        int[] at(int t, int[] previousArgmax);
    }

    /** The logits {@code [step][row][V]} of {@code steps} decoder steps after the encoder, each fed the last state. */
    private static float[][][] decodeOnnx(Seq2SeqSpec spec, OrtSession enc, OrtSession dec, List<int[]> src,
            int steps, StepInputs inputs) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int b = src.size();
        int s = src.stream().mapToInt(x -> x.length).max().orElseThrow();
        long[] tokens = new long[b * s];
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            lengths[r] = src.get(r).length;
            for (int j = 0; j < lengths[r]; j++) {
                tokens[r * s + j] = src.get(r)[j];
            }
        }
        List<AutoCloseable> open = new ArrayList<>();
        float[][][] out = new float[steps][][];
        try {
            OnnxTensor lens = OnnxTensor.createTensor(env, IntBuffer.wrap(lengths), new long[] {b});
            open.add(lens);
            OnnxTensor source = OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {b, s});
            open.add(source);
            OrtSession.Result encoded = enc.run(Map.of("source", source, "source_lengths", lens));
            open.add(encoded);
            Map<String, OnnxTensor> state = new HashMap<>();
            for (String name : OnnxSeq2SeqExport.stateNames(spec)) {
                state.put(name, (OnnxTensor) encoded.get(name).orElseThrow());
            }
            int[] prev = new int[b];
            for (int t = 0; t < steps; t++) {
                Map<String, OnnxTensor> in = new HashMap<>(state);
                OnnxTensor token = OnnxTensor.createTensor(env, LongBuffer.wrap(Arrays.stream(inputs.at(t, prev))
                        .asLongStream().toArray()), new long[] {b});
                open.add(token);
                in.put("token", token);
                if (spec.attention() != Seq2SeqSpec.Attention.NONE) {
                    in.put("memory", (OnnxTensor) encoded.get("memory").orElseThrow());
                    in.put("source_lengths", lens);
                }
                OrtSession.Result r = dec.run(in);
                open.add(r);
                out[t] = (float[][]) r.get("logits").orElseThrow().getValue();
                for (int row = 0; row < b; row++) {
                    prev[row] = argmax(out[t][row]);
                }
                for (String name : OnnxSeq2SeqExport.stateNames(spec)) {
                    state.put(name, (OnnxTensor) r.get(name + "_out").orElseThrow());
                }
            }
            return out;
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    /** Greedy outputs from free-running logits: argmax per step until eos or the row's limit. */
    private static List<int[]> greedyTokens(Seq2SeqSpec spec, float[][][] logits, int[] limit) {
        List<int[]> out = new ArrayList<>();
        for (int r = 0; r < limit.length; r++) {
            List<Integer> y = new ArrayList<>();
            for (int t = 0; t < logits.length && y.size() < limit[r]; t++) {
                int best = argmax(logits[t][r]);
                if (best == spec.endId()) {
                    break;
                }
                y.add(best);
            }
            out.add(y.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    /** Max |ours[row][t] - theirs[t][row]| over each row's teacher-forced steps. */
    private static double maxDiff(double[][][] ours, float[][][] theirs) {
        double max = 0;
        for (int r = 0; r < ours.length; r++) {
            for (int t = 0; t < ours[r].length; t++) {
                for (int k = 0; k < ours[r][t].length; k++) {
                    max = Math.max(max, Math.abs(ours[r][t][k] - theirs[t][r][k]));
                }
            }
        }
        return max;
    }

    /** Runs the folder's model in torch: {"logits": net(source, lengths, target_in), "greedy": net.greedy(...)}. */
    private static JsonNode runTorchSeq2Seq(Path dir, List<int[]> src, List<int[]> tgt, int bos, Path tmp)
            throws Exception {
        int b = src.size();
        long[][] source = new long[b][src.stream().mapToInt(x -> x.length).max().orElseThrow()];
        long[][] targetIn = new long[b][tgt.stream().mapToInt(y -> y.length + 1).max().orElseThrow()];
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            lengths[r] = src.get(r).length;
            for (int j = 0; j < lengths[r]; j++) {
                source[r][j] = src.get(r)[j];
            }
            targetIn[r][0] = bos;
            for (int j = 0; j < tgt.get(r).length; j++) {
                targetIn[r][j + 1] = tgt.get(r)[j];
            }
        }
        Path in = tmp.resolve("torch-seq2seq-input.json");
        JSON.writeValue(in.toFile(), Map.of("source", source, "lengths", lengths, "target_in", targetIn));
        return python(dir, in, String.join("\n",
                TORCH_PREAMBLE,
                "src, lens, tgt = (torch.tensor(inp[k]) for k in ('source', 'lengths', 'target_in'))",
                "with torch.no_grad():",
                "    print(json.dumps({'logits': net(src, lens, tgt).tolist(), 'greedy': net.greedy(src, lens)}))"));
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
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

    /** Token models: {@code rows} of token ids (all of one length for a model without a padding id). */
    static void tokensMatch(Path run, Path tmp, List<int[]> rows) throws Exception {
        TrainedModel m = TrainedModel.open(run.toString());
        SequenceSpec spec = m.model(SequenceModel.class).spec();
        boolean aligned = spec.topology() == SequenceSpec.Topology.ALIGNED;
        int pad = Math.max(spec.paddingId(), 0);
        SequenceBatch batch = aligned
                ? SequenceBatch.padAligned(rows, rows.stream().map(r -> new int[r.length]).toList(), pad, -100)
                : SequenceBatch.padPooled(rows, new int[rows.size()], pad);
        int b = batch.batchSize();
        int t = batch.steps();
        long[][] tokens = new long[b][t];
        for (int r = 0; r < b; r++) {
            for (int s = 0; s < t; s++) {
                tokens[r][s] = batch.tokens()[s * b + r];
            }
        }
        Map<String, Object> input = new HashMap<>();
        input.put("tokens", tokens);
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
        double onnxMax = maxDiff(spec, ours, JSON.valueToTree(theirs), lengths, batch.batchSize());
        System.out.printf("export %s: max |engine - onnxruntime| = %.3g%n", name, onnxMax);
        assertTrue(onnxMax <= TOLERANCE, name + ": onnx differs by " + onnxMax);

        Path torch = tmp.resolve(name + "-torch");
        TaskTesting.ok("export", m.dir().toString(), "--format", "pytorch", "--out", torch.toString());
        for (String f : List.of("model.py", "config.json", "model.safetensors", "config.conf", "model.json")) {
            assertTrue(Files.exists(torch.resolve(f)), f + " in " + torch);
        }
        if (!torchAvailable()) {
            System.out.println("export " + name + ": torch comparison skipped: " + PYTHON + " cannot import torch");
            return;
        }
        double torchMax = maxDiff(spec, ours, runTorch(torch, input, tmp), lengths, batch.batchSize());
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
            assertEquals(Files.readString(m.dir().resolve("model.json")), meta.get("model.json"));
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

    private static double maxDiff(SequenceSpec spec, float[] ours, JsonNode theirs, int[] lengths, int b) {
        int c = spec.outputSize();
        double max = 0;
        for (int r = 0; r < b; r++) {
            if (spec.topology() == SequenceSpec.Topology.ALIGNED) {
                for (int t = 0; t < lengths[r]; t++) {
                    for (int k = 0; k < c; k++) {
                        max = Math.max(max, Math.abs(ours[(t * b + r) * c + k] - theirs.get(r).get(t).get(k).asDouble()));
                    }
                }
            } else {
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, Math.abs(ours[r * c + k] - theirs.get(r).get(k).asDouble()));
                }
            }
        }
        return max;
    }

    /** The start of every torch script here: the exported folder's model.load() (argv[1]), the input (argv[2]). */
    private static final String TORCH_PREAMBLE = String.join("\n",
            "import json, sys, torch",
            "torch.set_num_threads(1)",
            "sys.path.insert(0, sys.argv[1])",
            "import model",
            "net = model.load(sys.argv[1])",
            "inp = json.load(open(sys.argv[2]))");

    /** Runs the exported folder's model.load() in torch on the input; the output as nested lists. */
    private static JsonNode runTorch(Path dir, Map<String, Object> input, Path tmp) throws Exception {
        Path in = tmp.resolve("torch-input.json");
        JSON.writeValue(in.toFile(), input);
        String script = String.join("\n",
                TORCH_PREAMBLE,
                "x = torch.tensor(inp['tokens']) if 'tokens' in inp else torch.tensor(inp['features'])",
                "lengths = torch.tensor(inp['lengths']) if 'lengths' in inp else None",
                "with torch.no_grad():",
                "    out = net(x, lengths)",
                "print(json.dumps(out.tolist()))");
        return python(dir, in, script);
    }

    private static JsonNode python(Path dir, Path in, String script) throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", script, dir.toString(), in.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "python did not finish");
        assertEquals(0, p.exitValue(), "python exit code; stdout: " + stdout);
        return JSON.readTree(stdout);
    }

    static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
