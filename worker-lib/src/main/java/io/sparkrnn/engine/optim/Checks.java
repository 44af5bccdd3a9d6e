package io.sparkrnn.engine.optim;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Argument checks shared by the optimizers; messages say what was expected and what was found. */
final class Checks {
    private Checks() {
    }

    /** {@code x} must be a rank-1 vector of {@code size} elements of {@code dtype}. */
    static void vector(String what, INDArray x, long size, DataType dtype) {
        if (x == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (x.rank() != 1 || x.length() != size) {
            throw new IllegalArgumentException(what + " must be a rank-1 vector of length " + size + ", found shape "
                    + Arrays.toString(x.shape()));
        }
        if (x.dataType() != dtype) {
            throw new IllegalArgumentException(what + " must have dtype " + dtype + ", found " + x.dataType());
        }
    }

    /** FLOAT and DOUBLE are the supported floating-point dtypes. */
    static void floatingDtype(DataType dtype) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, found " + dtype);
        }
    }

    /** A step's learning rate: finite and non-negative (a schedule may decay to 0). */
    static void learningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be finite and >= 0, found " + lr);
        }
    }
}
