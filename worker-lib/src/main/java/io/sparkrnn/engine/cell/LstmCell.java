package io.sparkrnn.engine.cell;

import static io.sparkrnn.engine.tensor.Tensors.gemm;

import io.sparkrnn.engine.tensor.Buf;
import io.sparkrnn.engine.tensor.FloatMath;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LSTM in PyTorch's form and gate order (i, f, g, o):
 * <pre>
 *   [i f g o] = W_ih x + b_ih + W_hh h + b_hh        (pre-activations, [B, 4H])
 *   i = sigmoid(i), f = sigmoid(f), g = tanh(g), o = sigmoid(o)
 *   c' = f * c + i * g
 *   h' = o * tanh(c')
 * </pre>
 * Backward: dc' += dh' * o * (1 - tanh(c')^2); di = dc' g; df = dc' c; dg = dc' i; do = dh' tanh(c');
 * dc = dc' f; pre-activation gradients multiply by the activation derivatives.
 */
final class LstmCell extends RecurrentCell {

    LstmCell(int inputSize, int hiddenSize) {
        super(inputSize, hiddenSize);
    }

    @Override
    public CellType type() {
        return CellType.LSTM;
    }

    @Override
    protected boolean needsHiddenProjection() {
        return true; // keeps tanh(c') per step
    }

    @Override
    protected void stepForward(CellParams p, Window w, int t) {
        recurrentProduct(p, w, step(w.states, w.prevSlot(t)), step(w.acts, t), 1.0);
        if (w.f32) {
            stepForwardF32(w, t);
            return;
        }
        int h = hiddenSize;
        int g4 = 4 * h;
        Buf a = w.bActs;
        Buf s = w.bStates;
        Buf c = w.bCells;
        Buf tcs = w.bAux;
        int prev = w.prevSlot(t) * w.b * h;
        int out = w.outSlot(t) * w.b * h;
        for (int b = 0; b < w.b; b++) {
            boolean valid = w.mask(t, b) != 0;
            int ar = (t * w.b + b) * g4;
            int hr = b * h;
            for (int j = 0; j < h; j++) {
                double i = Buf.sigmoid(a.get(ar + j));
                double f = Buf.sigmoid(a.get(ar + h + j));
                double g = Buf.tanh(a.get(ar + 2 * h + j));
                double o = Buf.sigmoid(a.get(ar + 3 * h + j));
                a.set(ar + j, i);
                a.set(ar + h + j, f);
                a.set(ar + 2 * h + j, g);
                a.set(ar + 3 * h + j, o);
                double cp = c.get(prev + hr + j);
                double cn = f * cp + i * g;
                double tc = Buf.tanh(cn);
                tcs.set(t * w.b * h + hr + j, tc);
                if (valid) {
                    c.set(out + hr + j, cn);
                    s.set(out + hr + j, o * tc);
                } else {
                    c.set(out + hr + j, cp);
                    s.set(out + hr + j, s.get(prev + hr + j));
                }
            }
        }
    }

    /** {@link #stepForward}'s element-wise part on float[] copies of the step's blocks. */
    private void stepForwardF32(Window w, int t) {
        int h = hiddenSize;
        int g4 = 4 * h;
        int bh = w.b * h;
        float[] a = floats("a", w.b * g4);
        float[] cp = floats("cPrev", bh);
        float[] cn = floats("c", bh);
        float[] tc = floats("tanhC", bh);
        float[] hs = floats("h", bh);
        int prev = w.prevSlot(t) * bh;
        int out = w.outSlot(t) * bh;
        ((Buf.F32) w.bActs).read(t * w.b * g4, a, 0, w.b * g4);
        ((Buf.F32) w.bCells).read(prev, cp, 0, bh);
        boolean masked = w.anyMasked(t);
        if (masked) {
            ((Buf.F32) w.bStates).read(prev, hs, 0, bh);
        }
        for (int b = 0; b < w.b; b++) {
            int ar = b * g4;
            int hr = b * h;
            FloatMath.sigmoid(a, ar, ar + 2 * h);
            FloatMath.tanh(a, ar + 2 * h, ar + 3 * h);
            FloatMath.sigmoid(a, ar + 3 * h, ar + g4);
            cellUpdate(a, ar, h, cp, cn, hr);
            System.arraycopy(cn, hr, tc, hr, h);
            FloatMath.tanh(tc, hr, hr + h);
            if (w.mask(t, b) != 0) {
                hiddenUpdate(a, ar + 3 * h, h, tc, hs, hr);
            } else {
                System.arraycopy(cp, hr, cn, hr, h); // carried; hs already holds the previous state
            }
        }
        ((Buf.F32) w.bActs).write(t * w.b * g4, a, 0, w.b * g4);
        ((Buf.F32) w.bAux).write(t * bh, tc, 0, bh);
        ((Buf.F32) w.bCells).write(out, cn, 0, bh);
        ((Buf.F32) w.bStates).write(out, hs, 0, bh);
    }

    /** c' = f * c + i * g for one row; the gates of the row start at {@code ar} in {@code a}. */
    private static void cellUpdate(float[] a, int ar, int h, float[] cp, float[] cn, int hr) {
        int fo = ar + h;
        int go = ar + 2 * h;
        for (int j = 0; j < h; j++) {
            cn[hr + j] = a[fo + j] * cp[hr + j] + a[ar + j] * a[go + j];
        }
    }

    /** h' = o * tanh(c') for one row; the o gate starts at {@code oo} in {@code a}. */
    private static void hiddenUpdate(float[] a, int oo, int h, float[] tc, float[] hs, int hr) {
        for (int j = 0; j < h; j++) {
            hs[hr + j] = a[oo + j] * tc[hr + j];
        }
    }

    @Override
    protected void stepBackward(CellParams p, Window w, int t, Grad g) {
        if (w.f32) {
            stepBackwardF32(w, t, g);
            gemm(step(g.dPreIh, t), false, p.wHh(), false, g.dh, 1.0, 1.0);
            return;
        }
        int h = hiddenSize;
        int g4 = 4 * h;
        Buf a = w.bActs;
        Buf c = w.bCells;
        Buf tcs = w.bAux;
        Buf dh = g.bh;
        Buf dc = g.bc;
        Buf dOut = g.bOut;
        Buf dPre = g.bPreIh;
        int prev = w.prevSlot(t) * w.b * h;
        int th = t * w.b * h;
        for (int b = 0; b < w.b; b++) {
            double m = w.mask(t, b);
            int ar = (t * w.b + b) * g4;
            int hr = b * h;
            for (int j = 0; j < h; j++) {
                double dhT = dh.get(hr + j) + dOut.get(th + hr + j);
                double dcT = dc.get(hr + j);
                double dhc = m * dhT;
                double i = a.get(ar + j);
                double f = a.get(ar + h + j);
                double gg = a.get(ar + 2 * h + j);
                double o = a.get(ar + 3 * h + j);
                double tc = tcs.get(th + hr + j);
                double dcv = m * dcT + dhc * o * (1 - tc * tc);
                dPre.set(ar + j, dcv * gg * i * (1 - i));
                dPre.set(ar + h + j, dcv * c.get(prev + hr + j) * f * (1 - f));
                dPre.set(ar + 2 * h + j, dcv * i * (1 - gg * gg));
                dPre.set(ar + 3 * h + j, dhc * tc * o * (1 - o));
                dh.set(hr + j, (1 - m) * dhT);
                dc.set(hr + j, (1 - m) * dcT + dcv * f);
            }
        }
        gemm(step(g.dPreIh, t), false, p.wHh(), false, g.dh, 1.0, 1.0);
    }

    /**
     * {@link #stepBackward}'s element-wise part on float[] copies. A masked row (mask 0) passes dh' + dOut and dc'
     * through unchanged and has zero pre-activation gradients.
     */
    private void stepBackwardF32(Window w, int t, Grad g) {
        int h = hiddenSize;
        int g4 = 4 * h;
        int bh = w.b * h;
        float[] a = floats("a", w.b * g4);
        float[] dp = floats("dPre", w.b * g4);
        float[] cp = floats("cPrev", bh);
        float[] tc = floats("tanhC", bh);
        float[] dh = floats("dh", bh);
        float[] dOut = floats("dOut", bh);
        float[] dc = floats("dc", bh);
        ((Buf.F32) w.bActs).read(t * w.b * g4, a, 0, w.b * g4);
        ((Buf.F32) w.bCells).read(w.prevSlot(t) * bh, cp, 0, bh);
        ((Buf.F32) w.bAux).read(t * bh, tc, 0, bh);
        ((Buf.F32) g.bh).read(0, dh, 0, bh);
        ((Buf.F32) g.bOut).read(t * bh, dOut, 0, bh);
        ((Buf.F32) g.bc).read(0, dc, 0, bh);
        for (int b = 0; b < w.b; b++) {
            int ar = b * g4;
            int hr = b * h;
            if (w.mask(t, b) != 0) {
                gateGradients(a, dp, ar, h, cp, tc, dh, dOut, dc, hr);
                addRow(g.dbIh, dp, ar, g4);
            } else {
                for (int j = 0; j < h; j++) {
                    dh[hr + j] += dOut[hr + j];
                }
                java.util.Arrays.fill(dp, ar, ar + g4, 0f);
            }
        }
        ((Buf.F32) g.bPreIh).write(t * w.b * g4, dp, 0, w.b * g4);
        ((Buf.F32) g.bh).write(0, dh, 0, bh);
        ((Buf.F32) g.bc).write(0, dc, 0, bh);
    }

    /**
     * One valid row: dh~ = dh' + dOut, dc~ = dc' + dh~ o (1 - tanh(c')^2); pre-activation gradients
     * [dc~ g i(1-i), dc~ c f(1-f), dc~ i (1-g^2), dh~ tanh(c') o(1-o)]; dc = dc~ f; dh = 0 (the recurrent GEMM adds).
     */
    private static void gateGradients(float[] a, float[] dp, int ar, int h, float[] cp, float[] tc, float[] dh,
            float[] dOut, float[] dc, int hr) {
        int fo = ar + h;
        int go = ar + 2 * h;
        int oo = ar + 3 * h;
        for (int j = 0; j < h; j++) {
            float dhT = dh[hr + j] + dOut[hr + j];
            float i = a[ar + j];
            float f = a[fo + j];
            float gg = a[go + j];
            float o = a[oo + j];
            float tcj = tc[hr + j];
            float dcv = dc[hr + j] + dhT * o * (1 - tcj * tcj);
            dp[ar + j] = dcv * gg * i * (1 - i);
            dp[fo + j] = dcv * cp[hr + j] * f * (1 - f);
            dp[go + j] = dcv * i * (1 - gg * gg);
            dp[oo + j] = dhT * tcj * o * (1 - o);
            dh[hr + j] = 0f;
            dc[hr + j] = dcv * f;
        }
    }
}
