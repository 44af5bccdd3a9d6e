package io.sparkrnn.engine.param;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A flat vector (row vector of length {@code layout.size()}) together with its layout. Named views
 * share memory with the vector: writing a view writes the vector.
 */
public final class FlatParams {
    private final ParamLayout layout;
    private final INDArray flat;

    public FlatParams(ParamLayout layout, INDArray flat) {
        if (flat.length() != layout.size()) {
            throw new IllegalArgumentException("flat vector has " + flat.length() + " elements, layout expects "
                    + layout.size());
        }
        if (flat.rank() != 1 || flat.elementWiseStride() != 1) {
            throw new IllegalArgumentException("flat vector must be a contiguous rank-1 array, found shape "
                    + java.util.Arrays.toString(flat.shape()));
        }
        this.layout = layout;
        this.flat = flat;
    }

    /** A zero vector for {@code layout} in {@code dtype}. */
    public static FlatParams zeros(ParamLayout layout, DataType dtype) {
        return new FlatParams(layout, Nd4j.zeros(dtype, layout.size()));
    }

    public ParamLayout layout() {
        return layout;
    }

    /** The whole vector, shape [size]. */
    public INDArray flat() {
        return flat;
    }

    public DataType dataType() {
        return flat.dataType();
    }

    /** A view of the tensor {@code name} with its declared shape, sharing memory with the vector. */
    public INDArray view(String name) {
        return view(layout.entry(name));
    }

    public INDArray view(ParamLayout.Entry e) {
        return Views.of(flat, e.offset(), e.shape());
    }

    /** An independent copy (same layout, new memory). */
    public FlatParams copy() {
        return new FlatParams(layout, flat.dup());
    }

    /** A zero vector of the same layout and dtype. */
    public FlatParams zerosLike() {
        return zeros(layout, flat.dataType());
    }
}
