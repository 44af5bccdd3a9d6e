package io.sparkrnn.engine.cell;

import static io.sparkrnn.engine.tensor.Tensors.gemm;
import static io.sparkrnn.engine.tensor.Tensors.step;

import io.sparkrnn.engine.tensor.Buf;
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
        gemm(step(w.states, w.prevSlot(t)), false, p.wHh(), true, w.scratch, 1.0, 0.0);
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

    @Override
    protected void stepBackward(CellParams p, Window w, int t, Grad g) {
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
}
