package io.sparkrnn.engine.cell;

import static io.sparkrnn.engine.tensor.Tensors.cols;
import static io.sparkrnn.engine.tensor.Tensors.gemm;
import static io.sparkrnn.engine.tensor.Tensors.step;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

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
    protected boolean separateHiddenGradients() {
        return true;
    }

    @Override
    protected void addInputBiases(CellParams p, INDArray pre2d) {
        pre2d.addiRowVector(p.bIh()); // b_hh is added per step, since b_hn sits inside r * (...)
    }

    @Override
    protected void stepForward(CellParams p, Window w, int t) {
        int h = hiddenSize;
        INDArray hPrev = step(w.states, w.prevSlot(t));
        INDArray a = step(w.acts, t);
        // hp = W_hh h + b_hh, [B, 3H]; its r and z parts add to the pre-activations, its n part is kept.
        INDArray hp = Nd4j.create(w.dtype, w.b, 3L * h);
        gemm(hPrev, false, p.wHh(), true, hp, 1.0, 0.0);
        hp.addiRowVector(p.bHh());
        cols(a, 0, 2L * h).addi(cols(hp, 0, 2L * h));
        INDArray hn = step(w.aux, t);
        hn.assign(cols(hp, 2L * h, 3L * h));
        Transforms.sigmoid(cols(a, 0, 2L * h), false);
        INDArray r = cols(a, 0, h);
        INDArray z = cols(a, h, 2L * h);
        INDArray n = cols(a, 2L * h, 3L * h);
        n.addi(r.mul(hn));
        Transforms.tanh(n, false);
        // h' = n + z * (h - n)
        step(w.states, w.outSlot(t)).assign(hPrev.sub(n).muli(z).addi(n));
    }

    @Override
    protected void stepBackward(CellParams p, Window w, int t, INDArray dh, INDArray dc, INDArray dPreIh,
            INDArray dPreHh) {
        int h = hiddenSize;
        INDArray hPrev = step(w.states, w.prevSlot(t));
        INDArray a = step(w.acts, t);
        INDArray r = cols(a, 0, h);
        INDArray z = cols(a, h, 2L * h);
        INDArray n = cols(a, 2L * h, 3L * h);
        INDArray hn = step(w.aux, t);
        INDArray dnPre = dh.mul(z.rsub(1.0)).muli(n.mul(n).rsubi(1.0));
        INDArray drPre = dnPre.mul(hn).muli(r).muli(r.rsub(1.0));
        INDArray dzPre = dh.mul(hPrev.sub(n)).muli(z).muli(z.rsub(1.0));
        cols(dPreIh, 0, h).assign(drPre);
        cols(dPreIh, h, 2L * h).assign(dzPre);
        cols(dPreIh, 2L * h, 3L * h).assign(dnPre);
        cols(dPreHh, 0, 2L * h).assign(cols(dPreIh, 0, 2L * h));
        cols(dPreHh, 2L * h, 3L * h).assign(dnPre.muli(r));
        dh.muli(z);
        gemm(dPreHh, false, p.wHh(), false, dh, 1.0, 1.0);
    }
}
