package io.sparkrnn.engine.testutil;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sparkrnn.engine.io.onnx.OnnxSeq2SeqExport;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives the two exported seq2seq graphs ({@link OnnxSeq2SeqExport}) in ONNX Runtime from Java as a user's decoding
 * loop would: the encoder once on the padded sources, then one decoder step at a time, each fed the previous step's
 * {@code *_out} state (and the memory and source lengths when the model attends).
 */
public final class OnnxSeq2Seq {
    private OnnxSeq2Seq() {
    }

    /**
     * Teacher forcing: step t is fed bos, then target token t - 1; returns the max |logit - ours| over each row's
     * steps, {@code ours[row][t][V]} as {@code Seq2SeqDecoding.teacherForcedLogits} gives them.
     */
    public static double teacherForcedMaxDiff(Seq2SeqSpec spec, OrtSession enc, OrtSession dec, List<int[]> src,
            List<int[]> tgt, double[][][] ours) throws OrtException {
        double[] max = {0};
        int steps = tgt.stream().mapToInt(y -> y.length + 1).max().orElseThrow();
        run(spec, enc, dec, src, (t, prev) -> {
            int[] in = new int[src.size()];
            for (int r = 0; r < in.length; r++) {
                int[] y = tgt.get(r);
                in[r] = t == 0 ? spec.beginId() : y[Math.min(t, y.length) - 1];
            }
            return in;
        }, steps, (t, logits) -> {
            for (int r = 0; r < logits.length; r++) {
                if (t < ours[r].length) {
                    for (int k = 0; k < logits[r].length; k++) {
                        max[0] = Math.max(max[0], Math.abs(logits[r][k] - ours[r][t][k]));
                    }
                }
            }
        });
        return max[0];
    }

    /**
     * Greedy decoding: step 0 is fed bos, every later step the argmax of the step before; each row stops at eos or
     * at {@link Seq2SeqSpec#maxTargetLength} of its source, as {@code Seq2SeqDecoding.greedy} does.
     */
    public static List<int[]> greedy(Seq2SeqSpec spec, OrtSession enc, OrtSession dec, List<int[]> src)
            throws OrtException {
        int b = src.size();
        int[] limit = src.stream().mapToInt(x -> spec.maxTargetLength(x.length)).toArray();
        List<List<Integer>> out = new ArrayList<>();
        boolean[] done = new boolean[b];
        for (int r = 0; r < b; r++) {
            out.add(new ArrayList<>());
        }
        int[] bos = new int[b];
        Arrays.fill(bos, spec.beginId());
        run(spec, enc, dec, src, (t, prev) -> t == 0 ? bos : prev, Arrays.stream(limit).max().orElseThrow(),
                (t, logits) -> {
                    for (int r = 0; r < b; r++) {
                        int best = argmax(logits[r]);
                        if (done[r]) {
                            continue;
                        }
                        if (best == spec.endId()) {
                            done[r] = true;
                        } else {
                            out.get(r).add(best);
                            done[r] = out.get(r).size() >= limit[r];
                        }
                    }
                });
        return out.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
    }

    /** Picks the decoder's input tokens at step t from the previous step's argmax per row. */
    private interface Inputs {
        int[] at(int t, int[] previousArgmax);
    }

    /** Receives each step's logits {@code [B][V]}. */
    private interface Sink {
        void accept(int t, float[][] logits);
    }

    /**
     * Runs the encoder on {@code src}, then {@code steps} decoder steps whose inputs are chosen by {@code inputs}
     * and whose state is the previous step's {@code *_out}.
     */
    private static void run(Seq2SeqSpec spec, OrtSession enc, OrtSession dec, List<int[]> src, Inputs inputs,
            int steps, Sink sink) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
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
                long[] in = Arrays.stream(inputs.at(t, prev)).asLongStream().toArray();
                Map<String, OnnxTensor> feed = new HashMap<>(state);
                feed.put("token", track(open, OnnxTensor.createTensor(env, LongBuffer.wrap(in), new long[] {b})));
                if (spec.attention() != Seq2SeqSpec.Attention.NONE) {
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
                    state.put(name, (OnnxTensor) r.get(name + "_out").orElseThrow());
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
