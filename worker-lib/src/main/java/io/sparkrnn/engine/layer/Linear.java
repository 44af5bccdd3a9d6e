package io.sparkrnn.engine.layer;

import io.sparkrnn.engine.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Affine head (PyTorch's {@code nn.Linear}): {@code y = x W^T + b}, x {@code [N, in]}, W {@code [out, in]},
 * b {@code [out]}. Backward: dW += dy^T x, db += sum_n dy, dx = dy W.
 */
public final class Linear {
    private final String name;
    private final int in;
    private final int out;

    public Linear(String name, int in, int out) {
        this.name = name;
        this.in = in;
        this.out = out;
    }

    public String weightName() {
        return name + ".weight";
    }

    public String biasName() {
        return name + ".bias";
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    public INDArray forward(INDArray w, INDArray b, INDArray x) {
        INDArray y = Nd4j.create(x.dataType(), x.size(0), out);
        Tensors.gemm(x, false, w, true, y, 1.0, 0.0);
        return y.addiRowVector(b);
    }

    /** Accumulates dW and db and returns dx {@code [N, in]}. */
    public INDArray backward(INDArray w, INDArray gw, INDArray gb, INDArray x, INDArray dy) {
        Tensors.gemm(dy, true, x, false, gw, 1.0, 1.0);
        gb.addi(dy.sum(0));
        INDArray dx = Nd4j.create(x.dataType(), x.size(0), in);
        Tensors.gemm(dy, false, w, false, dx, 1.0, 0.0);
        return dx;
    }
}
