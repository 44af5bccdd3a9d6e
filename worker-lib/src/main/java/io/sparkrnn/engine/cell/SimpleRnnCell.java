package io.sparkrnn.engine.cell;

import static io.sparkrnn.engine.tensor.Tensors.gemm;

import io.sparkrnn.engine.tensor.Buf;
import io.sparkrnn.engine.tensor.FloatMath;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Elman RNN with tanh (PyTorch's {@code nn.RNN}): h' = tanh(W_ih x + b_ih + W_hh h + b_hh).
 * Backward: dpre = dh' (1 - h'^2); dh = dpre W_hh.
 */
final class SimpleRnnCell extends RecurrentCell {

    SimpleRnnCell(int inputSize, int hiddenSize) {
        super(inputSize, hiddenSize);
    }

    @Override
    public CellType type() {
        return CellType.RNN_TANH;
    }

    @Override
    protected void stepForward(CellParams p, Window w, int t) {
        recurrentProduct(p, w, step(w.states, w.prevSlot(t)), step(w.acts, t), 1.0);
        if (w.f32) {
            stepForwardF32(w, t);
            return;
        }
        int h = hiddenSize;
        Buf a = w.bActs;
        Buf s = w.bStates;
        int prev = w.prevSlot(t) * w.b * h;
        int out = w.outSlot(t) * w.b * h;
        int th = t * w.b * h;
        for (int b = 0; b < w.b; b++) {
            boolean valid = w.mask(t, b) != 0;
            int hr = b * h;
            for (int j = 0; j < h; j++) {
                double v = Buf.tanh(a.get(th + hr + j));
                a.set(th + hr + j, v);
                s.set(out + hr + j, valid ? v : s.get(prev + hr + j));
            }
        }
    }

    /** {@link #stepForward}'s element-wise part on float[] copies of the step's blocks. */
    private void stepForwardF32(Window w, int t) {
        int h = hiddenSize;
        int bh = w.b * h;
        float[] a = floats("a", bh);
        float[] hs = floats("h", bh);
        ((Buf.F32) w.bActs).read(t * bh, a, 0, bh);
        FloatMath.tanh(a, 0, bh);
        if (w.anyMasked(t)) {
            ((Buf.F32) w.bStates).read(w.prevSlot(t) * bh, hs, 0, bh);
            for (int b = 0; b < w.b; b++) {
                if (w.mask(t, b) != 0) {
                    System.arraycopy(a, b * h, hs, b * h, h);
                }
            }
        } else {
            System.arraycopy(a, 0, hs, 0, bh);
        }
        ((Buf.F32) w.bActs).write(t * bh, a, 0, bh);
        ((Buf.F32) w.bStates).write(w.outSlot(t) * bh, hs, 0, bh);
    }

    @Override
    protected void stepBackward(CellParams p, Window w, int t, Grad g) {
        if (w.f32) {
            stepBackwardF32(w, t, g);
            gemm(step(g.dPreIh, t), false, p.wHh(), false, g.dh, 1.0, 1.0);
            return;
        }
        int h = hiddenSize;
        Buf a = w.bActs;
        Buf dh = g.bh;
        Buf dOut = g.bOut;
        Buf dPre = g.bPreIh;
        int th = t * w.b * h;
        for (int b = 0; b < w.b; b++) {
            double m = w.mask(t, b);
            int hr = b * h;
            for (int j = 0; j < h; j++) {
                double dhT = dh.get(hr + j) + dOut.get(th + hr + j);
                double v = a.get(th + hr + j);
                dPre.set(th + hr + j, m * dhT * (1 - v * v));
                dh.set(hr + j, (1 - m) * dhT);
            }
        }
        gemm(step(g.dPreIh, t), false, p.wHh(), false, g.dh, 1.0, 1.0);
    }

    /** {@link #stepBackward}'s element-wise part on float[] copies; masks are 0 or 1. */
    private void stepBackwardF32(Window w, int t, Grad g) {
        int h = hiddenSize;
        int bh = w.b * h;
        float[] a = floats("a", bh);
        float[] dp = floats("dPre", bh);
        float[] dh = floats("dh", bh);
        float[] dOut = floats("dOut", bh);
        ((Buf.F32) w.bActs).read(t * bh, a, 0, bh);
        ((Buf.F32) g.bh).read(0, dh, 0, bh);
        ((Buf.F32) g.bOut).read(t * bh, dOut, 0, bh);
        for (int b = 0; b < w.b; b++) {
            float m = (float) w.mask(t, b);
            int hr = b * h;
            for (int j = hr; j < hr + h; j++) {
                float dhT = dh[j] + dOut[j];
                dp[j] = m * dhT * (1 - a[j] * a[j]);
                dh[j] = (1 - m) * dhT;
            }
            addRow(g.dbIh, dp, hr, h);
        }
        ((Buf.F32) g.bPreIh).write(t * bh, dp, 0, bh);
        ((Buf.F32) g.bh).write(0, dh, 0, bh);
    }
}
