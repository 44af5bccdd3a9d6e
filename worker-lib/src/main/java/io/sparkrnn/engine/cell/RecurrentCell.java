package io.sparkrnn.engine.cell;

import static io.sparkrnn.engine.tensor.Tensors.gemm;

import io.sparkrnn.engine.tensor.Bf16Products;
import io.sparkrnn.engine.tensor.Buf;
import io.sparkrnn.engine.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One direction of one recurrent layer, run over a window of T time steps the fast way (Appleyard et al.
 * 2016): the input projections of all steps are one GEMM, each step adds one recurrent GEMM and the
 * element-wise gate math, and the weight gradients are one GEMM each over the whole window.
 *
 * <p>Shapes: T = time, B = batch, I = input size, H = hidden size, G = gates * H. Inputs are time-major
 * {@code x [T, B, I]}; the mask {@code [T, B]} is 1 for valid steps and 0 for padding. Where the mask is 0
 * the state is carried unchanged, so a finished sequence's state stops changing and padding adds nothing
 * to any gradient. A reverse cell walks the window from T-1 down to 0; with right padding it starts each
 * row at that row's last valid step, as PyTorch's packed sequences do.
 *
 * <p>Truncation: {@link #backward} back-propagates only through steps {@code t >= gradStart}; the state
 * entering step {@code gradStart} is treated as a constant (truncated BPTT with k2 = T - gradStart).
 *
 * <p>A cell reuses its window buffers from one window to the next: a {@link Window} stays valid until the
 * cell's next forward pass, and a cell is used by one thread at a time.
 */
public abstract class RecurrentCell {
    protected final int inputSize;
    protected final int hiddenSize;
    private final Scratch scratch = new Scratch();

    protected RecurrentCell(int inputSize, int hiddenSize) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException("cell sizes must be positive, found inputSize=" + inputSize
                    + ", hiddenSize=" + hiddenSize);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
    }

    /**
     * Turns off the reuse of window buffers, for callers that keep several windows of one cell alive at once
     * (a decoder run one step at a time keeps every step's window for its backward pass).
     */
    public RecurrentCell withFreshBuffers() {
        scratch.disableReuse();
        return this;
    }

    /** A cell of {@code type} mapping inputs of size {@code inputSize} to states of size {@code hiddenSize}. */
    public static RecurrentCell of(CellType type, int inputSize, int hiddenSize) {
        return switch (type) {
            case RNN_TANH -> new SimpleRnnCell(inputSize, hiddenSize);
            case LSTM -> new LstmCell(inputSize, hiddenSize);
            case GRU -> new GruCell(inputSize, hiddenSize);
        };
    }

    public abstract CellType type();

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    /** G = gates * H, the number of rows of {@code weight_ih}. */
    public int gateSize() {
        return type().gates() * hiddenSize;
    }

    /**
     * Runs the window. {@code h0} (and {@code c0} for the LSTM) is the state entering the window,
     * {@code [B, H]}; it is copied, not modified.
     */
    public Window forward(CellParams p, INDArray x, INDArray h0, INDArray c0, INDArray mask, boolean reverse) {
        checkInput(p, x, h0, c0, mask);
        int t = (int) x.size(0);
        int b = (int) x.size(1);
        Window w = new Window(this, scratch, x, mask, reverse, t, b, x.dataType());
        if (t > 1 && Bf16Products.current() == null) {
            // W_hh^T [H, G] once per window, so that each step's recurrent product is C = A B, the form OpenBLAS's
            // AVX-512 small-matrix kernels cover (C = A B^T at M = 16..32 runs at a third of their speed). bf16
            // products read W_hh itself from the step's bf16 weights (oneDNN takes the transpose as a layout).
            w.wHhT = scratch.get("wHhT", x.dataType(), hiddenSize, gateSize()).assign(p.wHh().transpose());
        }
        Tensors.step(w.states, w.initialSlot()).assign(h0);
        if (w.cells != null) {
            Tensors.step(w.cells, w.initialSlot()).assign(c0);
        }
        // All input projections in one GEMM: pre[T*B, G] = x[T*B, I] W_ih^T + biases.
        INDArray pre2d = Tensors.as2d(w.acts);
        Tensors.gemm(Tensors.as2d(x), false, p.wIh(), true, pre2d, 1.0, 0.0);
        addInputBiases(p, pre2d);
        for (int k = 0; k < t; k++) {
            stepForward(p, w, reverse ? t - 1 - k : k);
        }
        return w;
    }

    /**
     * Back-propagates {@code dOut [T, B, H]} (the loss gradient with respect to the outputs) through steps
     * {@code t >= gradStart}, adds the parameter gradients into {@code g}, and returns the gradient with
     * respect to the inputs, {@code [T, B, I]} (zero before {@code gradStart}; valid until this cell's next
     * backward pass).
     */
    public INDArray backward(CellParams p, CellParams g, Window w, INDArray dOut, int gradStart) {
        return backward(p, g, w, dOut, gradStart, null, null, null);
    }

    /**
     * As {@link #backward(CellParams, CellParams, Window, INDArray, int)}, where {@code dhFinal} ({@code dcFinal})
     * is the loss gradient with respect to {@link Window#finalState()} ({@link Window#finalCellState()}),
     * {@code [B, H]} or null, and, when {@code dInitial} is not null, {@code dInitial[0]} ({@code dInitial[1]})
     * receive (copies of) the gradient with respect to the state entering step {@code gradStart} (h0 and c0 for
     * gradStart 0).
     */
    public INDArray backward(CellParams p, CellParams g, Window w, INDArray dOut, int gradStart, INDArray dhFinal,
            INDArray dcFinal, INDArray[] dInitial) {
        if (w.reverse && gradStart != 0) {
            throw new IllegalArgumentException("a reverse-direction cell back-propagates the whole window; "
                    + "expected gradStart 0, found " + gradStart);
        }
        if (gradStart < 0 || gradStart >= w.t) {
            throw new IllegalArgumentException("gradStart must be in [0, " + w.t + "), found " + gradStart);
        }
        DataType dt = w.dtype;
        Grad g2 = new Grad(dOut.ordering() == 'c' && !dOut.isView() ? dOut : dOut.dup('c'),
                dhFinal != null ? scratch.get("dh", dt, w.b, hiddenSize).assign(dhFinal)
                        : scratch.zeros("dh", dt, w.b, hiddenSize),
                w.cells == null ? null : dcFinal != null ? scratch.get("dc", dt, w.b, hiddenSize).assign(dcFinal)
                        : scratch.zeros("dc", dt, w.b, hiddenSize),
                scratch.get("dPreIh", dt, w.t, w.b, gateSize()),
                separateHiddenGradients() ? scratch.get("dPreHh", dt, w.t, w.b, gateSize()) : null,
                w.f32 ? zeroed(scratch.floats("dbIh", gateSize())) : null,
                w.f32 && separateHiddenGradients() ? zeroed(scratch.floats("dbHh", gateSize())) : null);
        INDArray dPreIh = g2.dPreIh;
        INDArray dPreHh = g2.dPreHh;
        for (int k = w.t - 1; k >= 0; k--) {
            int step = w.reverse ? w.t - 1 - k : k;
            if (step < gradStart) {
                break;
            }
            // On return g2.dh (and g2.dc) hold the gradient with respect to the state entering the step.
            stepBackward(p, w, step, g2);
        }
        if (dInitial != null) {
            dInitial[0] = g2.dh.dup();
            dInitial[1] = g2.dc == null ? null : g2.dc.dup();
        }
        int from = w.reverse ? 0 : gradStart;
        INDArray dIh2d = Tensors.steps2d(dPreIh, from, w.t);
        INDArray dHh2d = Tensors.steps2d(dPreHh, from, w.t);
        // Weight gradients, one GEMM each over the window: dW_ih += dPre^T x, dW_hh += dPre^T h_prev.
        Tensors.gemm(dIh2d, true, Tensors.steps2d(w.x, from, w.t), false, g.wIh(), 1.0, 1.0);
        Tensors.gemm(dHh2d, true, w.prevStates2d(from), false, g.wHh(), 1.0, 1.0);
        if (w.f32) {
            // The float32 kernels summed the bias gradients over the rows while each step's block was on heap.
            addInto(g.bIh(), g2.dbIh);
            addInto(g.bHh(), g2.dbHh);
        } else {
            // db [1, G] += ones [1, rows] dPre [rows, G].
            INDArray ones = scratch.get("ones", dt, 1, dIh2d.size(0)).assign(1.0);
            Tensors.gemm(ones, false, dIh2d, false, Tensors.asRow(g.bIh()), 1.0, 1.0);
            Tensors.gemm(ones, false, dHh2d, false, Tensors.asRow(g.bHh()), 1.0, 1.0);
        }
        // Reused like the window buffers: valid until this cell's next backward pass. The GEMM overwrites steps
        // [from, T); the steps before the truncation get no gradient.
        INDArray dx = scratch.get("dx", dt, w.t, w.b, inputSize);
        if (from > 0) {
            Tensors.steps2d(dx, 0, from).assign(0);
        }
        Tensors.gemm(dIh2d, false, p.wIh(), false, Tensors.steps2d(dx, from, w.t), 1.0, 0.0);
        return dx;
    }

    private static float[] zeroed(float[] a) {
        java.util.Arrays.fill(a, 0f);
        return a;
    }

    /** {@code bias[j] += sums[j]} for a float32 bias vector. */
    private static void addInto(INDArray bias, float[] sums) {
        Buf.F32 b = (Buf.F32) Buf.of(bias);
        int n = (int) bias.length();
        float[] v = new float[n];
        b.read(0, v, 0, n);
        for (int j = 0; j < n; j++) {
            v[j] += sums[j];
        }
        b.write(0, v, 0, n);
    }

    /** {@code acc[j] += row[from + j]} for j in [0, n): one row's share of a bias gradient. */
    protected static void addRow(float[] acc, float[] row, int from, int n) {
        for (int j = 0; j < n; j++) {
            acc[j] += row[from + j];
        }
    }

    /** Adds the biases that enter every step outside the recurrent product to {@code pre [T*B, G]}. */
    protected void addInputBiases(CellParams p, INDArray pre2d) {
        pre2d.addiRowVector(p.bIh());
        pre2d.addiRowVector(p.bHh());
    }

    /** A per-step on-heap float array of at least {@code n} elements for {@code key} (see {@link Scratch#floats}). */
    protected float[] floats(String key, int n) {
        return scratch.floats(key, n);
    }

    /**
     * The {@code [B, X]} view of step {@code t} of a window array ({@code w.states}, {@code w.acts}, the
     * pre-activation gradients), kept with the cell's reused buffers.
     */
    protected INDArray step(INDArray seq, int t) {
        return scratch.step(seq, t);
    }

    /** {@code out = h W_hh^T + beta out}: one step's recurrent product, {@code h [B, H]}, {@code out [B, G]}. */
    protected static void recurrentProduct(CellParams p, Window w, INDArray h, INDArray out, double beta) {
        if (w.wHhT != null) {
            gemm(h, false, w.wHhT, false, out, 1.0, beta);
        } else {
            gemm(h, false, p.wHh(), true, out, 1.0, beta);
        }
    }

    /** Whether the gradient of the hidden-to-hidden pre-activation differs from the input one (GRU). */
    protected boolean separateHiddenGradients() {
        return false;
    }

    /**
     * Computes step {@code t}: {@code w.acts} holds the input projection of the step on entry and the
     * cell's activations on return; writes the new state into the output slots, or (mask 0) carries the
     * previous state. Masks are 0 or 1.
     */
    protected abstract void stepForward(CellParams p, Window w, int t);

    /**
     * Back-propagates one step. On entry {@code g.dh} ({@code g.dc}) hold the gradient with respect to the
     * step's output state from later steps, and {@code g.dOut} the loss gradient at the step's output; on
     * return they hold the gradient with respect to the state entering the step. Writes the pre-activation
     * gradients of step t into {@code g.dPreIh} (and {@code g.dPreHh} when separate).
     */
    protected abstract void stepBackward(CellParams p, Window w, int t, Grad g);

    /** The gradient buffers of one backward pass, with direct access for the fused kernels. */
    protected static final class Grad {
        final INDArray dOut;
        final INDArray dh;
        final INDArray dc;
        final INDArray dPreIh;
        final INDArray dPreHh;
        final Buf bOut;
        final Buf bh;
        final Buf bc;
        final Buf bPreIh;
        final Buf bPreHh;
        /** float32 only: running sums over rows of the pre-activation gradients (the bias gradients), [G]. */
        final float[] dbIh;
        final float[] dbHh;

        Grad(INDArray dOut, INDArray dh, INDArray dc, INDArray dPreIh, INDArray dPreHh, float[] dbIh, float[] dbHh) {
            this.dbIh = dbIh;
            this.dbHh = dbHh == null ? dbIh : dbHh;
            this.dOut = dOut;
            this.dh = dh;
            this.dc = dc;
            this.dPreIh = dPreIh;
            this.dPreHh = dPreHh == null ? dPreIh : dPreHh;
            this.bOut = Buf.of(dOut);
            this.bh = Buf.of(dh);
            this.bc = dc == null ? null : Buf.of(dc);
            this.bPreIh = Buf.of(dPreIh);
            this.bPreHh = Buf.of(this.dPreHh);
        }
    }

    /** Whether the cell keeps an extra per-step buffer of size [T, B, H] for its backward pass. */
    protected boolean needsHiddenProjection() {
        return false;
    }

    /** Whether the cell needs a [B, G] scratch matrix for the recurrent product (GRU). */
    protected boolean needsScratch() {
        return false;
    }

    private void checkInput(CellParams p, INDArray x, INDArray h0, INDArray c0, INDArray mask) {
        if (x.rank() != 3 || x.size(2) != inputSize) {
            throw new IllegalArgumentException("expected input [T, B, " + inputSize + "], found "
                    + java.util.Arrays.toString(x.shape()));
        }
        long b = x.size(1);
        if (h0.rank() != 2 || h0.size(0) != b || h0.size(1) != hiddenSize) {
            throw new IllegalArgumentException("expected initial state [" + b + ", " + hiddenSize + "], found "
                    + java.util.Arrays.toString(h0.shape()));
        }
        if (type().hasCellState() && (c0 == null || !java.util.Arrays.equals(c0.shape(), h0.shape()))) {
            throw new IllegalArgumentException("LSTM needs an initial cell state [" + b + ", " + hiddenSize
                    + "], found " + (c0 == null ? "none" : java.util.Arrays.toString(c0.shape())));
        }
        if (mask != null && (mask.rank() != 2 || mask.size(0) != x.size(0) || mask.size(1) != b)) {
            throw new IllegalArgumentException("expected mask [" + x.size(0) + ", " + b + "], found "
                    + java.util.Arrays.toString(mask.shape()));
        }
        if (p.wIh().size(0) != gateSize() || p.wIh().size(1) != inputSize || p.wHh().size(1) != hiddenSize) {
            throw new IllegalArgumentException("expected weight_ih [" + gateSize() + ", " + inputSize + "], found "
                    + java.util.Arrays.toString(p.wIh().shape()));
        }
    }

    /**
     * Everything a window's forward pass keeps for its backward pass. States live in one buffer
     * {@code [T+1, B, H]}: for a forward cell slot 0 is the initial state and slot t+1 the output of step t;
     * for a reverse cell slot T is the initial state and slot t the output of step t.
     */
    public static final class Window {
        final INDArray x;
        final INDArray mask;
        final boolean reverse;
        final int t;
        final int b;
        final DataType dtype;
        /** Whether the arrays are float32, which the cells run through their float[] kernels. */
        final boolean f32;
        /** States, [T+1, B, H]. */
        final INDArray states;
        /** LSTM cell states, [T+1, B, H], or null. */
        final INDArray cells;
        /** Pre-activations, then activations, [T, B, G]. */
        final INDArray acts;
        /** LSTM: tanh(c_t); GRU: W_hn h + b_hn; [T, B, H], or null. */
        final INDArray aux;
        /** [B, G] scratch for the recurrent product, or null. */
        final INDArray scratch;
        /** The recurrent weights transposed, W_hh^T [H, G], for the forward steps' products; null for one step. */
        INDArray wHhT;
        final Buf bStates;
        final Buf bCells;
        final Buf bActs;
        final Buf bAux;
        final Buf bMask;
        final Buf bScratch;

        Window(RecurrentCell cell, Scratch pool, INDArray x, INDArray mask, boolean reverse, int t, int b,
                DataType dtype) {
            this.x = x;
            this.mask = mask;
            this.reverse = reverse;
            this.t = t;
            this.b = b;
            this.dtype = dtype;
            this.f32 = dtype == DataType.FLOAT;
            int h = cell.hiddenSize;
            // Every element of these is written by the forward pass before it is read.
            this.states = pool.get("states", dtype, t + 1, b, h);
            this.cells = cell.type().hasCellState() ? pool.get("cells", dtype, t + 1, b, h) : null;
            this.acts = pool.get("acts", dtype, t, b, cell.gateSize());
            this.aux = cell.needsHiddenProjection() ? pool.get("aux", dtype, t, b, h) : null;
            this.scratch = cell.needsScratch() ? pool.get("hp", dtype, b, cell.gateSize()) : null;
            this.bStates = Buf.of(states);
            this.bCells = cells == null ? null : Buf.of(cells);
            this.bActs = Buf.of(acts);
            this.bAux = aux == null ? null : Buf.of(aux);
            this.bMask = mask == null ? null : Buf.of(mask.ordering() == 'c' && !mask.isView() ? mask : mask.dup('c'));
            this.bScratch = scratch == null ? null : Buf.of(scratch);
        }

        /** Whether the mask of any row of step {@code step} is 0. */
        boolean anyMasked(int step) {
            if (bMask == null) {
                return false;
            }
            for (int r = 0; r < b; r++) {
                if (bMask.get(step * b + r) == 0) {
                    return true;
                }
            }
            return false;
        }

        /** The mask of (step, row), 1 without a mask. */
        double mask(int step, int row) {
            return bMask == null ? 1.0 : bMask.get(step * b + row);
        }

        int initialSlot() {
            return reverse ? t : 0;
        }

        int outSlot(int step) {
            return reverse ? step : step + 1;
        }

        int prevSlot(int step) {
            return reverse ? step + 1 : step;
        }


        INDArray prevStates2d(int from) {
            return reverse ? Tensors.steps2d(states, from + 1, t + 1) : Tensors.steps2d(states, from, t);
        }

        /** The outputs of all steps, [T, B, H] (a view). */
        public INDArray output() {
            long h = states.size(2);
            return io.sparkrnn.engine.param.Views.of(states, (long) (reverse ? 0 : 1) * b * h, t, b, h);
        }

        /** The state after the window (for a reverse cell, the state after step 0), [B, H] (a view). */
        public INDArray finalState() {
            return Tensors.step(states, reverse ? 0 : t);
        }

        /** The LSTM cell state after the window, [B, H] (a view), or null for other cells. */
        public INDArray finalCellState() {
            return cells == null ? null : Tensors.step(cells, reverse ? 0 : t);
        }

        public int length() {
            return t;
        }
    }
}
