package io.sparkrnn.engine.cell;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import io.sparkrnn.engine.tensor.Tensors;
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
    private final Map<String, float[]> floats = new HashMap<>();
    /** Per reused array, its time-step views, made once (a view costs a native shape buffer). */
    private final Map<INDArray, INDArray[]> steps = new IdentityHashMap<>();
    private boolean reuse = true;

    /** From now on every request gets a new array. */
    void disableReuse() {
        reuse = false;
        arrays.clear();
        steps.clear();
    }

    /** An array of {@code shape} and {@code dtype} for {@code key}; contents are whatever was left there. */
    INDArray get(String key, DataType dtype, long... shape) {
        INDArray a = arrays.get(key);
        if (!reuse || a == null || a.dataType() != dtype || !Arrays.equals(a.shape(), shape)) {
            a = Nd4j.create(dtype, shape);
            if (reuse) {
                INDArray old = arrays.put(key, a);
                if (old != null) {
                    steps.remove(old);
                }
            }
        }
        return a;
    }

    /**
     * An on-heap array of at least {@code n} floats for {@code key}, for the float32 kernels' copies of one step's
     * blocks and a backward pass's bias sums. These never outlive the forward or backward call that fills them, so
     * they are reused even after {@link #disableReuse}.
     */
    float[] floats(String key, int n) {
        float[] a = floats.get(key);
        if (a == null || a.length < n) {
            a = new float[n];
            floats.put(key, a);
        }
        return a;
    }

    /** The {@code [B, X]} block of step {@code t} of {@code seq [T, B, X]} (see {@link Tensors#step}), cached. */
    INDArray step(INDArray seq, int t) {
        if (!reuse) {
            return Tensors.step(seq, t);
        }
        INDArray[] v = steps.computeIfAbsent(seq, k -> new INDArray[(int) k.size(0)]);
        if (v[t] == null) {
            v[t] = Tensors.step(seq, t);
        }
        return v[t];
    }

    /** Like {@link #get} but zeroed. */
    INDArray zeros(String key, DataType dtype, long... shape) {
        return get(key, dtype, shape).assign(0);
    }
}
