package io.sparkrnn.engine.io.onnx;

import static io.sparkrnn.engine.io.onnx.OnnxGraph.attr;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.param.FlatParams;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One stacked recurrent layer as an ONNX {@code LSTM}/{@code GRU}/{@code RNN} node (opset 14), from weights named
 * as PyTorch names them ({@code <module>.weight_ih_l{k}[_reverse]} ...), shared by the sequence and the
 * encoder-decoder exports.
 *
 * <p>Weights (ONNX operator docs): {@code W [D, G*H, I]}, {@code R [D, G*H, H]}, {@code B [D, 2*G*H]} =
 * (W_b, R_b). Our gate blocks follow PyTorch (LSTM i, f, g, o; GRU r, z, n), ONNX's are LSTM i, o, f, c and
 * GRU z, r, h, so the H-row blocks are permuted; GRU uses {@code linear_before_reset = 1}, which is PyTorch's
 * {@code n = tanh(W_in x + b_in + r * (W_hn h + b_hn))}. SimpleRNN is ONNX's default tanh RNN.
 */
final class OnnxRecurrent {
    private OnnxRecurrent() {
    }

    /**
     * Adds the node for layer {@code layer} of {@code module} over {@code x [T, B, in]}; {@code seqLens},
     * {@code initH} and {@code initC} ({@code [D, B, H]}) may be empty (absent). Returns the names of
     * {@code Y [T, D, B, H]}, {@code Y_h [D, B, H]} and, for the LSTM, {@code Y_c [D, B, H]} (else "").
     */
    static String[] layer(OnnxGraph g, FlatParams params, String module, CellType cell, int layer, int d, int in,
            int h, String x, String seqLens, String initH, String initC) {
        int gates = cell.gates();
        int[] order = onnxGateOrder(cell);
        float[] w = new float[d * gates * h * in];
        float[] r = new float[d * gates * h * h];
        float[] b = new float[d * 2 * gates * h];
        for (int dir = 0; dir < d; dir++) {
            String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
            permuteRows(values(params, module + ".weight_ih" + suffix), order, h, in, w, dir * gates * h * in);
            permuteRows(values(params, module + ".weight_hh" + suffix), order, h, h, r, dir * gates * h * h);
            permuteRows(values(params, module + ".bias_ih" + suffix), order, h, 1, b, dir * 2 * gates * h);
            permuteRows(values(params, module + ".bias_hh" + suffix), order, h, 1, b, dir * 2 * gates * h + gates * h);
        }
        String p = module + "_l" + layer;
        String wName = g.floats(p + ".W", new long[] {d, (long) gates * h, in}, w);
        String rName = g.floats(p + ".R", new long[] {d, (long) gates * h, h}, r);
        String bName = g.floats(p + ".B", new long[] {d, 2L * gates * h}, b);
        String y = g.fresh(p + "_Y");
        String yh = g.fresh(p + "_Y_h");
        String yc = cell == CellType.LSTM ? g.fresh(p + "_Y_c") : "";
        List<OnnxGraph.Attr> attrs = new ArrayList<>();
        attrs.add(attr("hidden_size", (long) h));
        attrs.add(attr("direction", d == 2 ? "bidirectional" : "forward"));
        String op = switch (cell) {
            case LSTM -> "LSTM";
            case GRU -> "GRU";
            case RNN_TANH -> "RNN";
        };
        if (cell == CellType.GRU) {
            attrs.add(attr("linear_before_reset", 1L));
        }
        List<String> inputs = new ArrayList<>(List.of(x, wName, rName, bName, seqLens, initH));
        List<String> outputs = new ArrayList<>(List.of(y, yh));
        if (cell == CellType.LSTM) {
            inputs.add(initC);
            outputs.add(yc);
        }
        g.node(op, inputs, outputs, attrs.toArray(OnnxGraph.Attr[]::new));
        return new String[] {y, yh, yc};
    }

    /** {@code Y [T, D, B, H]} as {@code [T, B, D*H]} (forward then reverse, as our layers concatenate them). */
    static String concatDirections(OnnxGraph g, String y, int d) {
        if (d == 1) {
            return g.op("Squeeze", List.of(y, g.longs(g.fresh("axes"), new long[] {1}, 1)));
        }
        String tbdh = g.op("Transpose", List.of(y), attr("perm", new long[] {0, 2, 1, 3}));
        return g.op("Reshape", List.of(tbdh, g.longs(g.fresh("shape"), new long[] {3}, 0, 0, -1)));
    }

    /** {@code Y_h [D, B, H]} as {@code [B, D*H]}: forward, then reverse. */
    static String directionsSideBySide(OnnxGraph g, String yh) {
        String bdh = g.op("Transpose", List.of(yh), attr("perm", new long[] {1, 0, 2}));
        return g.op("Reshape", List.of(bdh, g.longs(g.fresh("shape"), new long[] {2}, 0, -1)));
    }

    /** For each ONNX gate block, the index of our (PyTorch) block that holds it. */
    static int[] onnxGateOrder(CellType cell) {
        return switch (cell) {
            case LSTM -> new int[] {0, 3, 1, 2};   // ONNX i, o, f, c from PyTorch i, f, g, o
            case GRU -> new int[] {1, 0, 2};       // ONNX z, r, h from PyTorch r, z, n
            case RNN_TANH -> new int[] {0};
        };
    }

    /** Copies {@code src [G*H, cols]} into {@code dst} at {@code at} with its H-row blocks in {@code order}. */
    static void permuteRows(float[] src, int[] order, int h, int cols, float[] dst, int at) {
        int block = h * cols;
        if (src.length != order.length * block) {
            throw new IllegalArgumentException("expected " + order.length * block + " values, found " + src.length);
        }
        for (int k = 0; k < order.length; k++) {
            System.arraycopy(src, order[k] * block, dst, at + k * block, block);
        }
    }

    /** A parameter tensor's values as float32, row-major. */
    static float[] values(FlatParams params, String name) {
        return params.view(name).castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
