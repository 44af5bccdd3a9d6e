package io.sparkrnn.engine.param;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Row-major views into the buffer of a contiguous array. */
public final class Views {
    private Views() {
    }

    /** A c-order view of {@code shape} starting {@code offset} elements into {@code base}'s data. */
    public static INDArray of(INDArray base, long offset, long... shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= shape[i];
        }
        if (offset < 0 || offset + s > base.length()) {
            throw new IllegalArgumentException("view [" + offset + ", " + (offset + s) + ") outside array of length "
                    + base.length());
        }
        return Nd4j.create(base.data(), shape, stride, base.offset() + offset, 'c', base.dataType());
    }
}
