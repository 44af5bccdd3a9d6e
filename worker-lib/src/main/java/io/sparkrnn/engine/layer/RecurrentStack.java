package io.sparkrnn.engine.layer;

import io.sparkrnn.engine.cell.CellParams;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.cell.RecurrentCell;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Stacked, optionally bidirectional recurrent layers (PyTorch's {@code nn.RNN/LSTM/GRU} with
 * {@code num_layers} and {@code bidirectional}). Layer k reads layer k-1's output {@code [T, B, D*H]}
 * (D = directions), with inverted dropout between layers while training, and optionally on the stack's input
 * (embeddings or features) and output (what the head reads). Parameters are named
 * {@code <name>.weight_ih_l{k}[_reverse]} etc. in PyTorch's order.
 */
public final class RecurrentStack {
    private final String name;
    private final CellType type;
    private final int hidden;
    private final int layers;
    private final int dirs;
    private final double dropout;
    private final double ioDropout;
    private final RecurrentCell[][] cells;

    public RecurrentStack(String name, CellType type, int inputSize, int hidden, int layers, boolean bidirectional,
            double dropout) {
        this(name, type, inputSize, hidden, layers, bidirectional, dropout, 0.0);
    }

    /**
     * @param dropout   inverted dropout on the outputs of every layer but the last (training only)
     * @param ioDropout inverted dropout on the stack's input and on its output (training only); masks are drawn
     *                  per element of {@code [T, B, width]}, as between layers
     */
    public RecurrentStack(String name, CellType type, int inputSize, int hidden, int layers, boolean bidirectional,
            double dropout, double ioDropout) {
        this.name = name;
        this.type = type;
        this.hidden = hidden;
        this.layers = layers;
        this.dirs = bidirectional ? 2 : 1;
        this.dropout = dropout;
        this.ioDropout = ioDropout;
        this.cells = new RecurrentCell[layers][dirs];
        for (int l = 0; l < layers; l++) {
            for (int d = 0; d < dirs; d++) {
                cells[l][d] = RecurrentCell.of(type, l == 0 ? inputSize : dirs * hidden, hidden);
            }
        }
    }

    /** Appends this stack's parameters to a layout, in PyTorch's state_dict order. */
    public void addTo(ParamLayout.Builder b) {
        for (int l = 0; l < layers; l++) {
            for (int d = 0; d < dirs; d++) {
                RecurrentCell c = cells[l][d];
                b.add(paramName("weight_ih", l, d), c.gateSize(), c.inputSize());
                b.add(paramName("weight_hh", l, d), c.gateSize(), hidden);
                b.add(paramName("bias_ih", l, d), c.gateSize());
                b.add(paramName("bias_hh", l, d), c.gateSize());
            }
        }
    }

    /** PyTorch's name of one tensor, e.g. {@code rnn.weight_hh_l1_reverse}. */
    public String paramName(String kind, int layer, int dir) {
        return name + "." + kind + "_l" + layer + (dir == 1 ? "_reverse" : "");
    }

    public CellParams cellParams(FlatParams p, int layer, int dir) {
        return new CellParams(p.view(paramName("weight_ih", layer, dir)), p.view(paramName("weight_hh", layer, dir)),
                p.view(paramName("bias_ih", layer, dir)), p.view(paramName("bias_hh", layer, dir)));
    }

    public int layers() {
        return layers;
    }

    public int directions() {
        return dirs;
    }

    public int hidden() {
        return hidden;
    }

    public CellType cellType() {
        return type;
    }

    /** Zero states for a batch of {@code batch} rows. */
    public StackState zeroState(int batch, DataType dtype) {
        return StackState.zeros(layers, dirs, batch, hidden, type.hasCellState(), dtype);
    }

    /**
     * Runs the stack over {@code x [T, B, I]}. Forward directions start from {@code state}; reverse
     * directions start from zero (they see only this window). {@code dropoutSeed} seeds the masks when
     * {@code training}.
     */
    public Pass forward(FlatParams p, INDArray x, StackState state, INDArray mask, boolean training,
            long dropoutSeed) {
        return forward(p, x, state, mask, training, dropoutSeed, 0, (int) x.size(1));
    }

    /**
     * As {@link #forward(FlatParams, INDArray, StackState, INDArray, boolean, long)} for rows
     * {@code [firstRow, firstRow + B)} of a batch of {@code fullBatch} rows: the dropout masks are the whole
     * batch's, cut to these rows, so that a batch run block by block drops what it drops in one piece.
     */
    public Pass forward(FlatParams p, INDArray x, StackState state, INDArray mask, boolean training,
            long dropoutSeed, int firstRow, int fullBatch) {
        int t = (int) x.size(0);
        int b = (int) x.size(1);
        Pass pass = new Pass(this);
        INDArray in = x;
        for (int l = 0; l < layers; l++) {
            double rate = l == 0 ? ioDropout : dropout;
            if (training && rate > 0) {
                pass.dropMasks[l] = dropoutMask(in, rate, dropoutSeed * 31 + l, firstRow, fullBatch);
                in = in.mul(pass.dropMasks[l]);
            }
            pass.inputs[l] = in;
            INDArray out = dirs == 1 ? null : Nd4j.create(x.dataType(), t, b, (long) dirs * hidden);
            for (int d = 0; d < dirs; d++) {
                INDArray h0 = d == 0 ? state.h(l, 0) : Nd4j.zeros(x.dataType(), b, hidden);
                INDArray c0 = !type.hasCellState() ? null : d == 0 ? state.c(l, 0) : Nd4j.zeros(x.dataType(), b, hidden);
                RecurrentCell.Window w = cells[l][d].forward(cellParams(p, l, d), in, h0, c0, mask, d == 1);
                pass.windows[l][d] = w;
                if (out != null) {
                    out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval((long) d * hidden,
                            (long) (d + 1) * hidden)).assign(w.output());
                }
            }
            in = out != null ? out : pass.windows[l][0].output();
        }
        if (training && ioDropout > 0) {
            pass.outputMask = dropoutMask(in, ioDropout, dropoutSeed * 31 + layers, firstRow, fullBatch);
            in = in.mul(pass.outputMask);
        }
        pass.output = in;
        return pass;
    }

    /** The forward directions' states after a pass, detached (copies), for the next window. */
    public StackState finalState(Pass pass) {
        StackState s = new StackState(layers, dirs);
        for (int l = 0; l < layers; l++) {
            for (int d = 0; d < dirs; d++) {
                RecurrentCell.Window w = pass.windows[l][d];
                s.set(l, d, w.finalState().dup(), w.finalCellState() == null ? null : w.finalCellState().dup());
            }
        }
        return s;
    }

    /**
     * Back-propagates {@code dOut [T, B, D*H]} through steps {@code t >= gradStart}, accumulating into
     * {@code g}; returns the gradient with respect to the stack's input {@code [T, B, I]}.
     */
    public INDArray backward(FlatParams p, FlatParams g, Pass pass, INDArray dOut, int gradStart) {
        INDArray d = pass.outputMask == null ? dOut : dOut.mul(pass.outputMask);
        for (int l = layers - 1; l >= 0; l--) {
            INDArray dIn = null;
            for (int dir = 0; dir < dirs; dir++) {
                INDArray dDir = dirs == 1 ? d : d.get(NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval((long) dir * hidden, (long) (dir + 1) * hidden)).dup('c');
                INDArray dx = cells[l][dir].backward(cellParams(p, l, dir), cellParams(g, l, dir), pass.windows[l][dir],
                        dDir, gradStart);
                dIn = dIn == null ? dx : dIn.addi(dx);
            }
            if (pass.dropMasks[l] != null) {
                dIn.muli(pass.dropMasks[l]);
            }
            d = dIn;
        }
        return d;
    }

    /**
     * Inverted-dropout mask of {@code like [T, B, X]}: the masks of rows {@code [firstRow, firstRow + B)} of a
     * {@code [T, fullBatch, X]} mask drawn in c order from {@code seed}.
     */
    private static INDArray dropoutMask(INDArray like, double rate, long seed, int firstRow, int fullBatch) {
        SplittableRandom rng = new SplittableRandom(seed);
        double keep = 1.0 - rate;
        int t = (int) like.size(0);
        int b = (int) like.size(1);
        int x = (int) like.size(2);
        if (firstRow < 0 || firstRow + b > fullBatch) {
            throw new IllegalArgumentException("rows [" + firstRow + ", " + (firstRow + b) + ") outside a batch of "
                    + fullBatch);
        }
        double[] m = new double[t * b * x];
        int i = 0;
        for (int s = 0; s < t; s++) {
            for (int r = 0; r < fullBatch; r++) {
                boolean mine = r >= firstRow && r < firstRow + b;
                for (int j = 0; j < x; j++) {
                    double v = rng.nextDouble() < keep ? 1.0 / keep : 0.0;
                    if (mine) {
                        m[i++] = v;
                    }
                }
            }
        }
        return Nd4j.createFromArray(m).reshape(like.shape()).castTo(like.dataType());
    }

    /** Everything one forward pass keeps for the backward pass. */
    public static final class Pass {
        final RecurrentCell.Window[][] windows;
        final INDArray[] inputs;
        final INDArray[] dropMasks;
        INDArray outputMask;
        INDArray output;

        Pass(RecurrentStack s) {
            this.windows = new RecurrentCell.Window[s.layers][s.dirs];
            this.inputs = new INDArray[s.layers];
            this.dropMasks = new INDArray[s.layers];
        }

        /** The top layer's output, {@code [T, B, D*H]}. */
        public INDArray output() {
            return output;
        }
    }
}
