package io.sparkrnn.engine.cell;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Arrays reused from one window to the next (native allocation and release cost more than the work of a small
 * window). An array handed out stays valid until the same key is asked for again, so a cell may be used by
 * one thread at a time, and a window's arrays live until that cell's next window.
 */
final class Scratch {
    private final Map<String, INDArray> arrays = new HashMap<>();
    private boolean reuse = true;

    /** From now on every request gets a new array. */
    void disableReuse() {
        reuse = false;
        arrays.clear();
    }

    /** An array of {@code shape} and {@code dtype} for {@code key}; contents are whatever was left there. */
    INDArray get(String key, DataType dtype, long... shape) {
        INDArray a = arrays.get(key);
        if (!reuse || a == null || a.dataType() != dtype || !Arrays.equals(a.shape(), shape)) {
            a = Nd4j.create(dtype, shape);
            if (reuse) {
                arrays.put(key, a);
            }
        }
        return a;
    }

    /** Like {@link #get} but zeroed. */
    INDArray zeros(String key, DataType dtype, long... shape) {
        return get(key, dtype, shape).assign(0);
    }
}
