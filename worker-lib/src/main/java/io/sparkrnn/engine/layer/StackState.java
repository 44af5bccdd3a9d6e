package io.sparkrnn.engine.layer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The recurrent state of a stack between windows: h (and c for LSTM) per layer and direction, each
 * {@code [B, H]}. Carried across the windows of one sequence (truncated BPTT), reset between sequences.
 */
public final class StackState {
    private final INDArray[][] h;
    private final INDArray[][] c;

    StackState(int layers, int dirs) {
        this.h = new INDArray[layers][dirs];
        this.c = new INDArray[layers][dirs];
    }

    static StackState zeros(int layers, int dirs, int batch, int hidden, boolean cellState, DataType dtype) {
        StackState s = new StackState(layers, dirs);
        for (int l = 0; l < layers; l++) {
            for (int d = 0; d < dirs; d++) {
                s.set(l, d, Nd4j.zeros(dtype, batch, hidden), cellState ? Nd4j.zeros(dtype, batch, hidden) : null);
            }
        }
        return s;
    }

    void set(int layer, int dir, INDArray hs, INDArray cs) {
        h[layer][dir] = hs;
        c[layer][dir] = cs;
    }

    public INDArray h(int layer, int dir) {
        return h[layer][dir];
    }

    /** The LSTM cell state, or null for other cells. */
    public INDArray c(int layer, int dir) {
        return c[layer][dir];
    }

    public int batchSize() {
        return (int) h[0][0].size(0);
    }

    /** Zeroes the state of the given rows (their sequences ended; the next ones start fresh). */
    public void resetRows(boolean[] rows) {
        for (int r = 0; r < rows.length; r++) {
            if (!rows[r]) {
                continue;
            }
            for (int l = 0; l < h.length; l++) {
                for (int d = 0; d < h[l].length; d++) {
                    h[l][d].getRow(r).assign(0);
                    if (c[l][d] != null) {
                        c[l][d].getRow(r).assign(0);
                    }
                }
            }
        }
    }

    /**
     * The state as one vector, h then c for each layer and direction in order (for shipping the state of a
     * partition between rounds).
     */
    public float[] toVector() {
        java.util.List<INDArray> parts = parts();
        long n = 0;
        for (INDArray a : parts) {
            n += a.length();
        }
        float[] out = new float[(int) n];
        int o = 0;
        for (INDArray a : parts) {
            float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
            System.arraycopy(v, 0, out, o, v.length);
            o += v.length;
        }
        return out;
    }

    /** Overwrites the state with a vector from {@link #toVector()} of the same shape. */
    public void fromVector(float[] v) {
        int o = 0;
        for (INDArray a : parts()) {
            int n = (int) a.length();
            if (o + n > v.length) {
                throw new IllegalArgumentException("state vector has " + v.length + " values, expected more");
            }
            a.assign(Nd4j.createFromArray(java.util.Arrays.copyOfRange(v, o, o + n)).reshape(a.shape())
                    .castTo(a.dataType()));
            o += n;
        }
        if (o != v.length) {
            throw new IllegalArgumentException("state vector has " + v.length + " values, expected " + o);
        }
    }

    private java.util.List<INDArray> parts() {
        java.util.List<INDArray> parts = new java.util.ArrayList<>();
        for (int l = 0; l < h.length; l++) {
            for (int d = 0; d < h[l].length; d++) {
                parts.add(h[l][d]);
                if (c[l][d] != null) {
                    parts.add(c[l][d]);
                }
            }
        }
        return parts;
    }

    /** A copy of rows {@code [from, to)}: the state of one row block of a batch-parallel step. */
    public StackState rows(int from, int to) {
        StackState s = new StackState(h.length, h[0].length);
        for (int l = 0; l < h.length; l++) {
            for (int d = 0; d < h[l].length; d++) {
                s.set(l, d, rowsOf(h[l][d], from, to), c[l][d] == null ? null : rowsOf(c[l][d], from, to));
            }
        }
        return s;
    }

    /** Overwrites rows {@code [from, from + block.batchSize())} with the state of a row block. */
    public void setRows(int from, StackState block) {
        int to = from + block.batchSize();
        for (int l = 0; l < h.length; l++) {
            for (int d = 0; d < h[l].length; d++) {
                h[l][d].get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(block.h[l][d]);
                if (c[l][d] != null) {
                    c[l][d].get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(block.c[l][d]);
                }
            }
        }
    }

    private static INDArray rowsOf(INDArray a, int from, int to) {
        return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c');
    }

    /** A deep copy. */
    public StackState copy() {
        StackState s = new StackState(h.length, h[0].length);
        for (int l = 0; l < h.length; l++) {
            for (int d = 0; d < h[l].length; d++) {
                s.set(l, d, h[l][d].dup(), c[l][d] == null ? null : c[l][d].dup());
            }
        }
        return s;
    }
}
