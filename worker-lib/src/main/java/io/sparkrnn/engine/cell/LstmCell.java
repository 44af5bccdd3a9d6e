package io.sparkrnn.engine.cell;

import static io.sparkrnn.engine.tensor.Tensors.gemm;
import static io.sparkrnn.engine.tensor.Tensors.step;

import io.sparkrnn.engine.tensor.Buf;
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
        gemm(step(w.states, w.prevSlot(t)), false, p.wHh(), true, step(w.acts, t), 1.0, 1.0);
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

    @Override
    protected void stepBackward(CellParams p, Window w, int t, Grad g) {
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
}
