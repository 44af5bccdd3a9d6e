package io.sparkrnn.engine.cell;

import static io.sparkrnn.engine.tensor.Tensors.gemm;
import static io.sparkrnn.engine.tensor.Tensors.step;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

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
        INDArray a = step(w.acts, t);
        gemm(step(w.states, w.prevSlot(t)), false, p.wHh(), true, a, 1.0, 1.0);
        Transforms.tanh(a, false);
        step(w.states, w.outSlot(t)).assign(a);
    }

    @Override
    protected void stepBackward(CellParams p, Window w, int t, INDArray dh, INDArray dc, INDArray dPreIh,
            INDArray dPreHh) {
        INDArray a = step(w.acts, t);
        dPreIh.assign(a.mul(a).rsubi(1.0).muli(dh));
        gemm(dPreIh, false, p.wHh(), false, dh, 1.0, 0.0);
    }
}
