package io.sparkrnn.engine.cell;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The four tensors of one direction of one recurrent layer, as views into a flat vector (weights or
 * gradients): {@code wIh [G*H, I]}, {@code wHh [G*H, H]}, {@code bIh [G*H]}, {@code bHh [G*H]}.
 */
public record CellParams(INDArray wIh, INDArray wHh, INDArray bIh, INDArray bHh) {
}
