package io.sparkrnn.engine.io.onnx;

import static io.sparkrnn.engine.io.onnx.OnnxGraph.attr;

import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.FlatParams;
import java.util.List;
import java.util.Map;

/**
 * A {@link io.sparkrnn.engine.model.SequenceModel}'s inference forward pass as an ONNX graph (opset
 * {@value OnnxGraph#OPSET}), computing what {@code SequenceModel.predict} computes from a zero state.
 *
 * <p>Graph inputs (B = batch, T = time, both free): {@code tokens} int64 {@code [B, T]} for a token model or
 * {@code features} float {@code [B, T, F]}; plus {@code lengths} int32 {@code [B]} (valid steps per row, right
 * padding) when the model has a padding id (taggers, classifiers). Output {@code logits} (cross-entropy) or
 * {@code values} (MSE): aligned models {@code [B, T, C]} (steps past a row's length are unspecified), pooled
 * models {@code [B, C]}.
 *
 * <p>Layers: {@code Gather} of the embedding rows, one ONNX {@code LSTM}/{@code GRU}/{@code RNN} node per
 * stacked layer ({@code direction = bidirectional} when the model is), with {@code sequence_lens} so that a
 * reverse direction starts at each row's last valid step, as ours does; pooling from the top layer's
 * {@code Y_h} (last valid step: forward state at the row's end, reverse state at step 0) or a masked mean of
 * {@code Y}; the head as {@code MatMul}+{@code Add} or {@code Gemm}. Dropout is absent (inference).
 *
 * <p>Weights: see {@link OnnxRecurrent} (gate blocks permuted from PyTorch's order to ONNX's).
 */
public final class OnnxExport {
    private OnnxExport() {
    }

    /**
     * Serialises the model as an ONNX ModelProto; {@code metadata} goes to metadata_props (e.g. vocabularies).
     */
    public static byte[] export(SequenceSpec spec, FlatParams params, String producerVersion, String docString,
            Map<String, String> metadata) {
        OnnxGraph g = new OnnxGraph("spark-rnn");
        boolean withLengths = spec.paddingId() >= 0;
        String x;
        if (spec.tokenInput()) {
            String tokens = g.input("tokens", OnnxGraph.INT64, "batch", "time");
            String timeMajor = g.op("Transpose", List.of(tokens), attr("perm", new long[] {1, 0}));
            String emb = g.floats("embedding.weight", new long[] {spec.vocabSize(), spec.embeddingDim()},
                    OnnxRecurrent.values(params, "embedding.weight"));
            x = g.op("Gather", List.of(emb, timeMajor), attr("axis", 0L));             // [T, B, E]
        } else {
            String features = g.input("features", OnnxGraph.FLOAT, "batch", "time", (long) spec.featureSize());
            x = g.op("Transpose", List.of(features), attr("perm", new long[] {1, 0, 2}));  // [T, B, F]
        }
        String lengths = withLengths ? g.input("lengths", OnnxGraph.INT32, "batch") : "";
        String lastH = null;
        for (int l = 0; l < spec.numLayers(); l++) {
            String[] yh = recurrentLayer(g, spec, params, l, x, lengths);
            x = yh[0];
            lastH = yh[1];
        }
        String outName = spec.loss() == SequenceSpec.Loss.MSE ? "values" : "logits";
        String headW = "head.weight";
        float[] w = OnnxRecurrent.values(params, headW);
        String bias = g.floats("head.bias", new long[] {spec.outputSize()}, OnnxRecurrent.values(params, "head.bias"));
        if (spec.topology() == SequenceSpec.Topology.ALIGNED) {
            String batchMajor = g.op("Transpose", List.of(x), attr("perm", new long[] {1, 0, 2}));  // [B, T, W]
            String wT = g.floats("head.weight_t", new long[] {spec.outputWidth(), spec.outputSize()},
                    transpose(w, spec.outputSize(), spec.outputWidth()));
            String mm = g.op("MatMul", List.of(batchMajor, wT));
            g.node("Add", List.of(mm, bias), List.of(outName));
            g.output(outName, OnnxGraph.FLOAT, "batch", "time", (long) spec.outputSize());
        } else {
            String pooled = spec.pooling() == SequenceSpec.Pooling.LAST ? OnnxRecurrent.directionsSideBySide(g, lastH)
                    : meanOverSteps(g, x, lengths);
            String weight = g.floats(headW, new long[] {spec.outputSize(), spec.outputWidth()}, w);
            g.node("Gemm", List.of(pooled, weight, bias), List.of(outName), attr("transB", 1L));
            g.output(outName, OnnxGraph.FLOAT, "batch", (long) spec.outputSize());
        }
        return g.toModel("spark-rnn", producerVersion, docString, metadata);
    }

    /** One stacked layer over {@code x [T, B, I]}: returns its output {@code [T, B, D*H]} and Y_h {@code [D, B, H]}. */
    private static String[] recurrentLayer(OnnxGraph g, SequenceSpec spec, FlatParams params, int layer, String x,
            String lengths) {
        int in = layer == 0 ? spec.inputSize() : spec.outputWidth();
        String[] y = OnnxRecurrent.layer(g, params, "rnn", spec.cell(), layer, spec.directions(), in,
                spec.hiddenSize(), x, lengths, "", "");
        return new String[] {OnnxRecurrent.concatDirections(g, y[0], spec.directions()), y[1]};
    }

    /** Mean of {@code y [T, B, W]} over each row's valid steps, {@code [B, W]}. */
    private static String meanOverSteps(OnnxGraph g, String y, String lengths) {
        if (lengths.isEmpty()) {
            return g.op("ReduceMean", List.of(y), attr("axes", new long[] {0}), attr("keepdims", 0L));
        }
        String axis0 = g.longs(g.fresh("axes"), new long[] {1}, 0);
        // mask[t, b] = t < lengths[b], from Range(0, T) against the lengths
        String shape = g.op("Shape", List.of(y));
        String steps = g.op("Gather", List.of(shape, g.longs(g.fresh("zero"), new long[0], 0)), attr("axis", 0L));
        String range = g.op("Range", List.of(g.longs(g.fresh("start"), new long[0], 0), steps,
                g.longs(g.fresh("delta"), new long[0], 1)));
        String rangeCol = g.op("Unsqueeze", List.of(range, g.longs(g.fresh("axes"), new long[] {1}, 1)));   // [T, 1]
        String lens64 = g.op("Cast", List.of(lengths), attr("to", (long) OnnxGraph.INT64));
        String lensRow = g.op("Unsqueeze", List.of(lens64, axis0));                                         // [1, B]
        String valid = g.op("Less", List.of(rangeCol, lensRow));                                            // [T, B]
        String mask = g.op("Cast", List.of(valid), attr("to", (long) OnnxGraph.FLOAT));
        String mask3 = g.op("Unsqueeze", List.of(mask, g.longs(g.fresh("axes"), new long[] {1}, 2)));     // [T, B, 1]
        String sum = g.op("ReduceSum", List.of(g.op("Mul", List.of(y, mask3)), axis0), attr("keepdims", 0L));
        String count = g.op("Unsqueeze", List.of(g.op("Cast", List.of(lengths), attr("to", (long) OnnxGraph.FLOAT)),
                g.longs(g.fresh("axes"), new long[] {1}, 1)));                                             // [B, 1]
        return g.op("Div", List.of(sum, count));
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = m[i * cols + j];
            }
        }
        return t;
    }
}
