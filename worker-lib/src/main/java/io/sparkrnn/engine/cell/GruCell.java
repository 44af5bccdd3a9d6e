package io.sparkrnn.engine.cell;

import static io.sparkrnn.engine.tensor.Tensors.gemm;

import io.sparkrnn.engine.tensor.Buf;
import io.sparkrnn.engine.tensor.FloatMath;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GRU in PyTorch's form and gate order (r, z, n):
 * <pre>
 *   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
 *   z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 *   h' = (1 - z) * n + z * h
 * </pre>
 * Backward: dn = dh' (1 - z); dz = dh' (h - n); dh = dh' z + [dr dz dn*r]_pre W_hh, with the n-gate's
 * hidden-side gradient scaled by r, which is why the hidden-side pre-activation gradients are kept apart.
 */
final class GruCell extends RecurrentCell {

    GruCell(int inputSize, int hiddenSize) {
        super(inputSize, hiddenSize);
    }

    @Override
    public CellType type() {
        return CellType.GRU;
    }

    @Override
    protected boolean needsHiddenProjection() {
        return true; // keeps W_hn h + b_hn per step
    }

    @Override
    protected boolean needsScratch() {
        return true;
    }

    @Override
    protected boolean separateHiddenGradients() {
        return true;
    }

    @Override
    protected void addInputBiases(CellParams p, INDArray pre2d) {
        pre2d.addiRowVector(p.bIh()); // b_hh is added per step, since b_hn sits inside r * (...)
    }

    @Override
    protected void stepForward(CellParams p, Window w, int t) {
        // hp = W_hh h, [B, 3H]; b_hh is added below (b_hn inside r * (...)).
        recurrentProduct(p, w, step(w.states, w.prevSlot(t)), w.scratch, 0.0);
        if (w.f32) {
            stepForwardF32(p, w, t);
            return;
        }
        int h = hiddenSize;
        int g3 = 3 * h;
        Buf a = w.bActs;
        Buf s = w.bStates;
        Buf hp = w.bScratch;
        Buf hns = w.bAux;
        Buf bhh = Buf.of(p.bHh());
        int prev = w.prevSlot(t) * w.b * h;
        int out = w.outSlot(t) * w.b * h;
        int th = t * w.b * h;
        for (int b = 0; b < w.b; b++) {
            boolean valid = w.mask(t, b) != 0;
            int ar = (t * w.b + b) * g3;
            int pr = b * g3;
            int hr = b * h;
            for (int j = 0; j < h; j++) {
                double r = Buf.sigmoid(a.get(ar + j) + hp.get(pr + j) + bhh.get(j));
                double z = Buf.sigmoid(a.get(ar + h + j) + hp.get(pr + h + j) + bhh.get(h + j));
                double hn = hp.get(pr + 2 * h + j) + bhh.get(2 * h + j);
                double n = Buf.tanh(a.get(ar + 2 * h + j) + r * hn);
                a.set(ar + j, r);
                a.set(ar + h + j, z);
                a.set(ar + 2 * h + j, n);
                hns.set(th + hr + j, hn);
                double hPrev = s.get(prev + hr + j);
                s.set(out + hr + j, valid ? n + z * (hPrev - n) : hPrev);
            }
        }
    }

    /** {@link #stepForward}'s element-wise part on float[] copies of the step's blocks. */
    private void stepForwardF32(CellParams p, Window w, int t) {
        int h = hiddenSize;
        int g3 = 3 * h;
        int bh = w.b * h;
        float[] a = floats("a", w.b * g3);
        float[] hp = floats("hp", w.b * g3);
        float[] bhh = floats("bhh", g3);
        float[] hn = floats("hn", bh);
        float[] hPrev = floats("hPrev", bh);
        float[] hs = floats("h", bh);
        int prev = w.prevSlot(t) * bh;
        ((Buf.F32) w.bActs).read(t * w.b * g3, a, 0, w.b * g3);
        ((Buf.F32) w.bScratch).read(0, hp, 0, w.b * g3);
        ((Buf.F32) Buf.of(p.bHh())).read(0, bhh, 0, g3);
        ((Buf.F32) w.bStates).read(prev, hPrev, 0, bh);
        for (int b = 0; b < w.b; b++) {
            int ar = b * g3;
            int hr = b * h;
            for (int j = 0; j < 2 * h; j++) {
                a[ar + j] += hp[ar + j] + bhh[j];
            }
            FloatMath.sigmoid(a, ar, ar + 2 * h);
            newGate(a, hp, bhh, ar, h, hn, hr);
            FloatMath.tanh(a, ar + 2 * h, ar + g3);
            if (w.mask(t, b) != 0) {
                int zo = ar + h;
                int no = ar + 2 * h;
                for (int j = 0; j < h; j++) {
                    float n = a[no + j];
                    hs[hr + j] = n + a[zo + j] * (hPrev[hr + j] - n);
                }
            } else {
                System.arraycopy(hPrev, hr, hs, hr, h);
            }
        }
        ((Buf.F32) w.bActs).write(t * w.b * g3, a, 0, w.b * g3);
        ((Buf.F32) w.bAux).write(t * bh, hn, 0, bh);
        ((Buf.F32) w.bStates).write(w.outSlot(t) * bh, hs, 0, bh);
    }

    /** For one row: hn = W_hn h + b_hn, and the n gate's pre-activation a_n += r * hn (before its tanh). */
    private static void newGate(float[] a, float[] hp, float[] bhh, int ar, int h, float[] hn, int hr) {
        int no = ar + 2 * h;
        for (int j = 0; j < h; j++) {
            float v = hp[no + j] + bhh[2 * h + j];
            hn[hr + j] = v;
            a[no + j] += a[ar + j] * v;
        }
    }

    @Override
    protected void stepBackward(CellParams p, Window w, int t, Grad g) {
        if (w.f32) {
            stepBackwardF32(w, t, g);
            gemm(step(g.dPreHh, t), false, p.wHh(), false, g.dh, 1.0, 1.0);
            return;
        }
        int h = hiddenSize;
        int g3 = 3 * h;
        Buf a = w.bActs;
        Buf s = w.bStates;
        Buf hns = w.bAux;
        Buf dh = g.bh;
        Buf dOut = g.bOut;
        Buf dIh = g.bPreIh;
        Buf dHh = g.bPreHh;
        int prev = w.prevSlot(t) * w.b * h;
        int th = t * w.b * h;
        for (int b = 0; b < w.b; b++) {
            double m = w.mask(t, b);
            int ar = (t * w.b + b) * g3;
            int hr = b * h;
            for (int j = 0; j < h; j++) {
                double dhT = dh.get(hr + j) + dOut.get(th + hr + j);
                double dhc = m * dhT;
                double r = a.get(ar + j);
                double z = a.get(ar + h + j);
                double n = a.get(ar + 2 * h + j);
                double hn = hns.get(th + hr + j);
                double hPrev = s.get(prev + hr + j);
                double dnPre = dhc * (1 - z) * (1 - n * n);
                double drPre = dnPre * hn * r * (1 - r);
                double dzPre = dhc * (hPrev - n) * z * (1 - z);
                dIh.set(ar + j, drPre);
                dIh.set(ar + h + j, dzPre);
                dIh.set(ar + 2 * h + j, dnPre);
                dHh.set(ar + j, drPre);
                dHh.set(ar + h + j, dzPre);
                dHh.set(ar + 2 * h + j, dnPre * r);
                dh.set(hr + j, (1 - m) * dhT + dhc * z);
            }
        }
        gemm(step(g.dPreHh, t), false, p.wHh(), false, g.dh, 1.0, 1.0);
    }

    /** {@link #stepBackward}'s element-wise part on float[] copies; masks are 0 or 1. */
    private void stepBackwardF32(Window w, int t, Grad g) {
        int h = hiddenSize;
        int g3 = 3 * h;
        int bh = w.b * h;
        float[] a = floats("a", w.b * g3);
        float[] dIh = floats("dIh", w.b * g3);
        float[] dHh = floats("dHh", w.b * g3);
        float[] hn = floats("hn", bh);
        float[] hPrev = floats("hPrev", bh);
        float[] dh = floats("dh", bh);
        float[] dOut = floats("dOut", bh);
        ((Buf.F32) w.bActs).read(t * w.b * g3, a, 0, w.b * g3);
        ((Buf.F32) w.bAux).read(t * bh, hn, 0, bh);
        ((Buf.F32) w.bStates).read(w.prevSlot(t) * bh, hPrev, 0, bh);
        ((Buf.F32) g.bh).read(0, dh, 0, bh);
        ((Buf.F32) g.bOut).read(t * bh, dOut, 0, bh);
        for (int b = 0; b < w.b; b++) {
            float m = (float) w.mask(t, b);
            int ar = b * g3;
            int zo = ar + h;
            int no = ar + 2 * h;
            int hr = b * h;
            for (int j = 0; j < h; j++) {
                float dhT = dh[hr + j] + dOut[hr + j];
                float dhc = m * dhT;
                float r = a[ar + j];
                float z = a[zo + j];
                float n = a[no + j];
                float dnPre = dhc * (1 - z) * (1 - n * n);
                float drPre = dnPre * hn[hr + j] * r * (1 - r);
                float dzPre = dhc * (hPrev[hr + j] - n) * z * (1 - z);
                dIh[ar + j] = drPre;
                dIh[zo + j] = dzPre;
                dIh[no + j] = dnPre;
                dHh[ar + j] = drPre;
                dHh[zo + j] = dzPre;
                dHh[no + j] = dnPre * r;
                dh[hr + j] = (1 - m) * dhT + dhc * z;
            }
            addRow(g.dbIh, dIh, ar, g3);
            addRow(g.dbHh, dHh, ar, g3);
        }
        ((Buf.F32) g.bPreIh).write(t * w.b * g3, dIh, 0, w.b * g3);
        ((Buf.F32) g.bPreHh).write(t * w.b * g3, dHh, 0, w.b * g3);
        ((Buf.F32) g.bh).write(0, dh, 0, bh);
    }
}
