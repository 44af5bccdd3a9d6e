package io.sparkrnn.engine.cell;

import static io.sparkrnn.engine.tensor.Tensors.cols;
import static io.sparkrnn.engine.tensor.Tensors.gemm;
import static io.sparkrnn.engine.tensor.Tensors.step;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

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
        int h = hiddenSize;
        INDArray hPrev = step(w.states, w.prevSlot(t));
        INDArray cPrev = step(w.cells, w.prevSlot(t));
        INDArray a = step(w.acts, t);
        gemm(hPrev, false, p.wHh(), true, a, 1.0, 1.0);
        Transforms.sigmoid(cols(a, 0, 2L * h), false);
        Transforms.tanh(cols(a, 2L * h, 3L * h), false);
        Transforms.sigmoid(cols(a, 3L * h, 4L * h), false);
        INDArray i = cols(a, 0, h);
        INDArray f = cols(a, h, 2L * h);
        INDArray g = cols(a, 2L * h, 3L * h);
        INDArray o = cols(a, 3L * h, 4L * h);
        INDArray c = step(w.cells, w.outSlot(t));
        c.assign(f).muli(cPrev).addi(i.mul(g));
        INDArray tc = step(w.aux, t);
        Transforms.tanh(tc.assign(c), false);
        step(w.states, w.outSlot(t)).assign(o).muli(tc);
    }

    @Override
    protected void stepBackward(CellParams p, Window w, int t, INDArray dh, INDArray dc, INDArray dPreIh,
            INDArray dPreHh) {
        int h = hiddenSize;
        INDArray a = step(w.acts, t);
        INDArray i = cols(a, 0, h);
        INDArray f = cols(a, h, 2L * h);
        INDArray g = cols(a, 2L * h, 3L * h);
        INDArray o = cols(a, 3L * h, 4L * h);
        INDArray tc = step(w.aux, t);
        INDArray cPrev = step(w.cells, w.prevSlot(t));
        // dc' += dh * o * (1 - tanh(c')^2)
        dc.addi(dh.mul(o).muli(tc.mul(tc).rsubi(1.0)));
        // pre-activation gradients
        cols(dPreIh, 0, h).assign(dc.mul(g).muli(i).muli(i.rsub(1.0)));
        cols(dPreIh, h, 2L * h).assign(dc.mul(cPrev).muli(f).muli(f.rsub(1.0)));
        cols(dPreIh, 2L * h, 3L * h).assign(dc.mul(i).muli(g.mul(g).rsubi(1.0)));
        cols(dPreIh, 3L * h, 4L * h).assign(dh.mul(tc).muli(o).muli(o.rsub(1.0)));
        dc.muli(f);
        gemm(dPreIh, false, p.wHh(), false, dh, 1.0, 0.0);
    }
}
