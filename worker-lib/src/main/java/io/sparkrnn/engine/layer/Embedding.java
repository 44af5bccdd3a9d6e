package io.sparkrnn.engine.layer;

import io.sparkrnn.engine.tensor.Buf;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token embedding (PyTorch's {@code nn.Embedding}): {@code out[n] = weight[ids[n]]}, weight {@code [V, D]}.
 * The row of {@code paddingId} (if any) gets no gradient, so it stays as initialised (zero).
 */
public final class Embedding {
    private final String name;
    private final int vocabSize;
    private final int dim;
    private final int paddingId;

    public Embedding(String name, int vocabSize, int dim, int paddingId) {
        this.name = name;
        this.vocabSize = vocabSize;
        this.dim = dim;
        this.paddingId = paddingId;
    }

    public String weightName() {
        return name + ".weight";
    }

    public int dim() {
        return dim;
    }

    /** Checks that every id is in [0, V), naming the first bad position. */
    public void checkIds(int[] ids, int batch) {
        checkIds(ids, batch, 0);
    }

    /** As {@link #checkIds(int[], int)} for rows numbered from {@code firstRow} (a row block of a larger batch). */
    public void checkIds(int[] ids, int batch, int firstRow) {
        for (int n = 0; n < ids.length; n++) {
            if (ids[n] < 0 || ids[n] >= vocabSize) {
                throw new IllegalArgumentException("token id at step " + n / batch + ", row " + (firstRow + n % batch)
                        + " must be in [0, " + vocabSize + "), found " + ids[n]);
            }
        }
    }

    /** Looks up {@code ids} (length N) in {@code weight [V, D]}: returns a new {@code [N, D]} array. */
    public INDArray forward(INDArray weight, int[] ids) {
        return forward(weight, ids, null);
    }

    /** As {@link #forward(INDArray, int[])}, into {@code out [N, D]} (overwritten) when it is not null. */
    public INDArray forward(INDArray weight, int[] ids, INDArray out) {
        if (out == null) {
            out = Nd4j.create(weight.dataType(), ids.length, dim);
        }
        Buf w = Buf.of(weight);
        Buf o = Buf.of(out);
        if (w instanceof Buf.F32 wf) {
            // Row by row in bulk copies: element-wise access to native memory costs more than the copy itself.
            float[] rows = new float[ids.length * dim];
            for (int n = 0; n < ids.length; n++) {
                wf.read(ids[n] * dim, rows, n * dim, dim);
            }
            ((Buf.F32) o).write(0, rows, 0, rows.length);
            return out;
        }
        for (int n = 0; n < ids.length; n++) {
            int src = ids[n] * dim;
            int dst = n * dim;
            for (int j = 0; j < dim; j++) {
                o.set(dst + j, w.get(src + j));
            }
        }
        return out;
    }

    /**
     * Adds {@code dOut [N, D]} into the rows {@code ids} of {@code gradWeight [V, D]} (a contiguous view),
     * skipping the padding row and the rows before {@code fromRow} (steps outside the truncation range).
     */
    public void backward(INDArray gradWeight, int[] ids, INDArray dOut, int fromRow) {
        Buf g = Buf.of(gradWeight);
        Buf d = Buf.of(dOut.ordering() == 'c' ? dOut : dOut.dup('c'));
        if (g instanceof Buf.F32 gf && d instanceof Buf.F32 df) {
            int rows = ids.length - fromRow;
            float[] src = new float[rows * dim];
            float[] row = new float[dim];
            df.read(fromRow * dim, src, 0, src.length);
            long table = (long) vocabSize * dim;
            if (table <= 4L * src.length) {
                // A table not much larger than the rows it receives: one bulk copy in and out, not one per row.
                float[] all = new float[(int) table];
                gf.read(0, all, 0, all.length);
                for (int n = fromRow; n < ids.length; n++) {
                    if (ids[n] != paddingId) {
                        int o = (n - fromRow) * dim;
                        int t = ids[n] * dim;
                        for (int j = 0; j < dim; j++) {
                            all[t + j] += src[o + j];
                        }
                    }
                }
                gf.write(0, all, 0, all.length);
                return;
            }
            for (int n = fromRow; n < ids.length; n++) {
                if (ids[n] == paddingId) {
                    continue;
                }
                int o = (n - fromRow) * dim;
                gf.read(ids[n] * dim, row, 0, dim);
                for (int j = 0; j < dim; j++) {
                    row[j] += src[o + j];
                }
                gf.write(ids[n] * dim, row, 0, dim);
            }
            return;
        }
        for (int n = fromRow; n < ids.length; n++) {
            int id = ids[n];
            if (id == paddingId) {
                continue;
            }
            int row = id * dim;
            int src = n * dim;
            for (int j = 0; j < dim; j++) {
                g.set(row + j, g.get(row + j) + d.get(src + j));
            }
        }
    }
}
