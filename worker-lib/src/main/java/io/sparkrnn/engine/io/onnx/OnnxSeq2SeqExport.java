package io.sparkrnn.engine.io.onnx;

import static io.sparkrnn.engine.io.onnx.OnnxGraph.attr;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.io.Seq2SeqExportConfig;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.param.FlatParams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link io.sparkrnn.engine.seq2seq.Seq2SeqModel} as two ONNX graphs (opset {@value OnnxGraph#OPSET}), the form
 * Marian and OpenNMT exports take: an encoder run once per batch of sources, and one decoder step run in the
 * caller's greedy or beam-search loop. Shapes: B = batch, S = source steps (both free), W = encoder output width,
 * H = decoder hidden, L = decoder layers, V = target vocabulary.
 *
 * <p>{@value #ENCODER}: inputs {@code source} int64 {@code [B, S]} (right padding, any id) and
 * {@code source_lengths} int32 {@code [B]} (at least 1); outputs {@code memory} {@code [B, S, W]} (the top encoder
 * layer, zero past each row's length) and the decoder's initial state: {@code h} {@code [L, B, H]} (and {@code c}
 * for the LSTM) from the bridge, h0 = tanh(y[:H]), c0 = y[H:], y = W_b [h_fwd; h_rev (; c_fwd; c_rev)] + b_b over
 * the final states of encoder layer e(k) = clamp(L_e - L + k, 0, L_e - 1), and with input feeding {@code feed}
 * {@code [B, H]}, zeros.
 *
 * <p>{@value #DECODER}: inputs {@code token} int64 {@code [B]} (bos at the first step, then the previous
 * output), the state ({@code h}, {@code c}, {@code feed}), and with attention {@code memory} and
 * {@code source_lengths}; outputs {@code logits} {@code [B, V]}, the next state {@code h_out}, {@code c_out},
 * {@code feed_out}, and with attention the weights {@code attention} {@code [B, S]}. One step: x = [emb(token)
 * (; feed)], one ONNX recurrent node per layer from the state, top state h_t; with attention (Luong et al. 2015)
 * score_j = h_t . M_j (DOT) or (h_t W_a) . M_j (GENERAL, the same number as h_t . (W_a M_j)), softmax over
 * j &lt; source_lengths, c_t = sum_j a_j M_j, h~_t = tanh(W_c [c_t; h_t] + b_c), feed_out = h~_t; logits =
 * out(h~_t), or out(h_t) without attention. This is {@code Seq2SeqModel}'s inference step; dropout is absent.
 */
public final class OnnxSeq2SeqExport {
    public static final String ENCODER = "encoder.onnx";
    public static final String DECODER = "decoder_step.onnx";
    public static final String CONFIG = "config.json";
    public static final String FORMAT = "spark-rnn-onnx-seq2seq";
    public static final int VERSION = 1;

    private OnnxSeq2SeqExport() {
    }

    /** The two serialised ModelProtos. */
    public record Graphs(byte[] encoder, byte[] decoderStep) {
    }

    /** Names of the decoder state that each step reads and returns under {@code name + "_out"}. */
    public static List<String> stateNames(Seq2SeqSpec spec) {
        List<String> s = new ArrayList<>(List.of("h"));
        if (spec.cell().hasCellState()) {
            s.add("c");
        }
        if (spec.inputFeeding()) {
            s.add("feed");
        }
        return s;
    }

    /** The decoder step's inputs, in graph order. */
    public static List<String> decoderInputs(Seq2SeqSpec spec) {
        List<String> in = new ArrayList<>(List.of("token"));
        in.addAll(stateNames(spec));
        if (spec.attention() != Seq2SeqSpec.Attention.NONE) {
            in.addAll(List.of("memory", "source_lengths"));
        }
        return in;
    }

    /** The decoder step's outputs, in graph order. */
    public static List<String> decoderOutputs(Seq2SeqSpec spec) {
        List<String> out = new ArrayList<>(List.of("logits"));
        stateNames(spec).forEach(n -> out.add(n + "_out"));
        if (spec.attention() != Seq2SeqSpec.Attention.NONE) {
            out.add("attention");
        }
        return out;
    }

    /**
     * Writes {@value #ENCODER}, {@value #DECODER} and {@value #CONFIG} into {@code dir} (which must exist). Both
     * graphs carry {@code metadata} and the special ids ({@code spark-rnn.pad_id}, {@code bos_id}, {@code eos_id},
     * {@code unk_id}, {@code max_target_ratio}); config.json holds {@link Seq2SeqExportConfig}'s fields, the
     * graphs' input and output names, and {@code extra} under {@code "spark_rnn"}.
     */
    public static void write(Path dir, Seq2SeqSpec spec, FlatParams params, int unkId, String producerVersion,
            String docString, Map<String, String> metadata, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("spark-rnn.pad_id", Integer.toString(spec.paddingId()));
        meta.put("spark-rnn.bos_id", Integer.toString(spec.beginId()));
        meta.put("spark-rnn.eos_id", Integer.toString(spec.endId()));
        meta.put("spark-rnn.unk_id", Integer.toString(unkId));
        meta.put("spark-rnn.max_target_ratio", Double.toString(spec.maxTargetRatio()));
        Graphs graphs = export(spec, params, producerVersion, docString, meta);
        Files.write(dir.resolve(ENCODER), graphs.encoder());
        Files.write(dir.resolve(DECODER), graphs.decoderStep());
        ObjectNode c = Seq2SeqExportConfig.of(FORMAT, VERSION, spec, unkId, extra);
        ObjectNode enc = c.putObject("encoder");
        enc.put("file", ENCODER);
        enc.putPOJO("inputs", List.of("source", "source_lengths"));
        List<String> encOut = new ArrayList<>(List.of("memory"));
        encOut.addAll(stateNames(spec));
        enc.putPOJO("outputs", encOut);
        ObjectNode dec = c.putObject("decoder_step");
        dec.put("file", DECODER);
        dec.putPOJO("inputs", decoderInputs(spec));
        dec.putPOJO("outputs", decoderOutputs(spec));
        dec.putPOJO("state", stateNames(spec));
        Files.writeString(dir.resolve(CONFIG), Seq2SeqExportConfig.text(c), StandardCharsets.UTF_8);
    }

    /** Both graphs; {@code metadata} goes to the metadata_props of each (e.g. vocabularies, special ids). */
    public static Graphs export(Seq2SeqSpec spec, FlatParams params, String producerVersion, String docString,
            Map<String, String> metadata) {
        return new Graphs(encoder(spec, params).toModel("spark-rnn", producerVersion, docString, metadata),
                decoder(spec, params).toModel("spark-rnn", producerVersion, docString, metadata));
    }

    private static OnnxGraph encoder(Seq2SeqSpec spec, FlatParams params) {
        OnnxGraph g = new OnnxGraph("spark-rnn-encoder");
        CellType cell = spec.cell();
        int d = spec.encoderDirections();
        int h = spec.decoderHidden();
        String source = g.input("source", OnnxGraph.INT64, "batch", "source_time");
        String lengths = g.input("source_lengths", OnnxGraph.INT32, "batch");
        String emb = g.floats("src_embedding.weight", new long[] {spec.sourceVocab(), spec.sourceEmbedding()},
                OnnxRecurrent.values(params, "src_embedding.weight"));
        String x = g.op("Gather", List.of(emb, g.op("Transpose", List.of(source), attr("perm", new long[] {1, 0}))),
                attr("axis", 0L));                                                         // [S, B, E]
        int layers = spec.encoderLayers();
        String[] yh = new String[layers];
        String[] yc = new String[layers];
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? spec.sourceEmbedding() : spec.encoderOutputWidth();
            String[] y = OnnxRecurrent.layer(g, params, "encoder", cell, l, d, in, spec.encoderHidden(), x, lengths,
                    "", "");
            x = OnnxRecurrent.concatDirections(g, y[0], d);                              // [S, B, W]
            yh[l] = y[1];
            yc[l] = y[2];
        }
        g.node("Transpose", List.of(x), List.of("memory"), attr("perm", new long[] {1, 0, 2}));
        g.output("memory", OnnxGraph.FLOAT, "batch", "source_time", (long) spec.encoderOutputWidth());

        String weight = g.floats("bridge.weight", shape(params, "bridge.weight"),
                OnnxRecurrent.values(params, "bridge.weight"));
        String bias = g.floats("bridge.bias", shape(params, "bridge.bias"), OnnxRecurrent.values(params, "bridge.bias"));
        String axis0 = g.longs("axis0", new long[] {1}, 0);
        String axis1 = g.longs("axis1", new long[] {1}, 1);
        List<String> h0 = new ArrayList<>();
        List<String> c0 = new ArrayList<>();
        for (int k = 0; k < spec.decoderLayers(); k++) {
            int e = Math.max(0, Math.min(layers - 1, layers - spec.decoderLayers() + k));
            String z = OnnxRecurrent.directionsSideBySide(g, yh[e]);                      // [B, W]
            if (cell.hasCellState()) {
                z = g.op("Concat", List.of(z, OnnxRecurrent.directionsSideBySide(g, yc[e])), attr("axis", 1L));
            }
            String y = g.op("Gemm", List.of(z, weight, bias), attr("transB", 1L));       // [B, R*H]
            h0.add(g.op("Unsqueeze", List.of(g.op("Tanh", List.of(slice(g, y, 0, h, axis1))), axis0)));
            if (cell.hasCellState()) {
                c0.add(g.op("Unsqueeze", List.of(slice(g, y, h, 2L * h, axis1), axis0)));
            }
        }
        g.node("Concat", h0, List.of("h"), attr("axis", 0L));
        g.output("h", OnnxGraph.FLOAT, (long) spec.decoderLayers(), "batch", (long) h);
        if (cell.hasCellState()) {
            g.node("Concat", c0, List.of("c"), attr("axis", 0L));
            g.output("c", OnnxGraph.FLOAT, (long) spec.decoderLayers(), "batch", (long) h);
        }
        if (spec.inputFeeding()) {
            // zeros [B, H]: a [1, H] zero row expanded to the batch read off the source's shape
            String batch = slice(g, g.op("Shape", List.of(source)), 0, 1, axis0);
            String dims = g.op("Concat", List.of(batch, g.longs("feed_width", new long[] {1}, h)), attr("axis", 0L));
            g.node("Expand", List.of(g.floats("feed_zero", new long[] {1, h}, new float[h]), dims), List.of("feed"));
            g.output("feed", OnnxGraph.FLOAT, "batch", (long) h);
        }
        return g;
    }

    private static OnnxGraph decoder(Seq2SeqSpec spec, FlatParams params) {
        OnnxGraph g = new OnnxGraph("spark-rnn-decoder-step");
        CellType cell = spec.cell();
        int h = spec.decoderHidden();
        int layers = spec.decoderLayers();
        boolean attention = spec.attention() != Seq2SeqSpec.Attention.NONE;
        String token = g.input("token", OnnxGraph.INT64, "batch");
        String state = g.input("h", OnnxGraph.FLOAT, (long) layers, "batch", (long) h);
        String cells = cell.hasCellState() ? g.input("c", OnnxGraph.FLOAT, (long) layers, "batch", (long) h) : "";
        String feed = spec.inputFeeding() ? g.input("feed", OnnxGraph.FLOAT, "batch", (long) h) : "";
        String memory = "";
        String lengths = "";
        if (attention) {
            memory = g.input("memory", OnnxGraph.FLOAT, "batch", "source_time", (long) spec.encoderOutputWidth());
            lengths = g.input("source_lengths", OnnxGraph.INT32, "batch");
        }
        String emb = g.floats("tgt_embedding.weight", new long[] {spec.targetVocab(), spec.targetEmbedding()},
                OnnxRecurrent.values(params, "tgt_embedding.weight"));
        String x = g.op("Gather", List.of(emb, token), attr("axis", 0L));                    // [B, E]
        if (!feed.isEmpty()) {
            x = g.op("Concat", List.of(x, feed), attr("axis", 1L));                         // [B, E + H]
        }
        String axis0 = g.longs("axis0", new long[] {1}, 0);
        List<String> hOut = new ArrayList<>();
        List<String> cOut = new ArrayList<>();
        for (int k = 0; k < layers; k++) {
            String hk = slice(g, state, k, k + 1, axis0);                                   // [1, B, H]
            String ck = cells.isEmpty() ? "" : slice(g, cells, k, k + 1, axis0);
            String[] y = OnnxRecurrent.layer(g, params, "decoder", cell, k, 1, k == 0 ? spec.decoderInputSize() : h,
                    h, g.op("Unsqueeze", List.of(x, axis0)), "", hk, ck);
            hOut.add(y[1]);
            if (cell.hasCellState()) {
                cOut.add(y[2]);
            }
            x = g.op("Squeeze", List.of(y[1], axis0));                                      // [B, H]
        }
        String head = x;
        if (attention) {
            String axis1 = g.longs("axis1", new long[] {1}, 1);
            String axis2 = g.longs("axis2", new long[] {1}, 2);
            String q = x;
            if (spec.attention() == Seq2SeqSpec.Attention.GENERAL) {
                q = g.op("MatMul", List.of(x, g.floats("attn.weight", shape(params, "attn.weight"),
                        OnnxRecurrent.values(params, "attn.weight"))));                     // [B, W]
            }
            String scores = g.op("Squeeze", List.of(g.op("MatMul", List.of(memory,
                    g.op("Unsqueeze", List.of(q, axis2)))), axis2));                        // [B, S]
            String steps = g.op("Gather", List.of(g.op("Shape", List.of(memory)),
                    g.longs("one", new long[0], 1)), attr("axis", 0L));
            String range = g.op("Range", List.of(g.longs("start", new long[0], 0), steps,
                    g.longs("delta", new long[0], 1)));
            String valid = g.op("Less", List.of(g.op("Unsqueeze", List.of(range, axis0)),
                    g.op("Unsqueeze", List.of(g.op("Cast", List.of(lengths), attr("to", (long) OnnxGraph.INT64)),
                            axis1))));                                                      // [B, S]
            String masked = g.op("Where", List.of(valid, scores,
                    g.floats("minus_infinity", new long[0], new float[] {Float.NEGATIVE_INFINITY})));
            String weights = g.node("Softmax", List.of(masked), List.of("attention"), attr("axis", 1L));
            String context = g.op("Squeeze", List.of(g.op("MatMul", List.of(g.op("Unsqueeze",
                    List.of(weights, axis1)), memory)), axis1));                            // [B, W]
            String comb = g.op("Concat", List.of(context, x), attr("axis", 1L));
            head = g.op("Tanh", List.of(linear(g, params, "attn_combine", comb)));
        }
        // tied embeddings: the output layer reads the target embedding's initializer
        String outWeight = spec.tieEmbeddings() ? emb : floats(g, params, "out.weight");
        g.node("Gemm", List.of(head, outWeight, floats(g, params, "out.bias")),
                List.of("logits"), attr("transB", 1L));
        g.output("logits", OnnxGraph.FLOAT, "batch", (long) spec.targetVocab());
        g.node("Concat", hOut, List.of("h_out"), attr("axis", 0L));
        g.output("h_out", OnnxGraph.FLOAT, (long) layers, "batch", (long) h);
        if (cell.hasCellState()) {
            g.node("Concat", cOut, List.of("c_out"), attr("axis", 0L));
            g.output("c_out", OnnxGraph.FLOAT, (long) layers, "batch", (long) h);
        }
        if (spec.inputFeeding()) {
            g.node("Identity", List.of(head), List.of("feed_out"));
            g.output("feed_out", OnnxGraph.FLOAT, "batch", (long) h);
        }
        if (attention) {
            g.output("attention", OnnxGraph.FLOAT, "batch", "source_time");
        }
        return g;
    }

    /** {@code x W^T + b} for the Linear {@code name}. */
    private static String linear(OnnxGraph g, FlatParams params, String name, String x) {
        return g.op("Gemm", List.of(x, floats(g, params, name + ".weight"), floats(g, params, name + ".bias")),
                attr("transB", 1L));
    }

    private static String floats(OnnxGraph g, FlatParams params, String name) {
        return g.floats(name, shape(params, name), OnnxRecurrent.values(params, name));
    }

    /** {@code x[from:to]} along the axis held by the 1-element int64 initializer {@code axis}. */
    private static String slice(OnnxGraph g, String x, long from, long to, String axis) {
        return g.op("Slice", List.of(x, g.longs(g.fresh("starts"), new long[] {1}, from),
                g.longs(g.fresh("ends"), new long[] {1}, to), axis));
    }

    private static long[] shape(FlatParams params, String name) {
        return params.layout().entry(name).shape();
    }
}
