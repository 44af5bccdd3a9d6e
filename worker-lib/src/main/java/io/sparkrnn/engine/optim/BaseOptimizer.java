package io.sparkrnn.engine.optim;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Holds the config, step count and named state vectors that every optimizer shares; subclasses do the math. */
abstract sealed class BaseOptimizer implements Optimizer permits Sgd, Adam {
    private final OptimizerConfig config;
    private final long size;
    private final DataType dtype;
    private final Map<String, INDArray> buffers = new LinkedHashMap<>();
    private INDArray scratch;
    private INDArray decayed;
    private long stepCount;

    BaseOptimizer(OptimizerConfig config, long size, DataType dtype, List<String> stateNames) {
        this.config = config;
        this.size = size;
        this.dtype = dtype;
        for (String name : stateNames) {
            buffers.put(name, newVector());
        }
    }

    /** One update given validated arguments; {@link #stepCount()} is already incremented when this runs. */
    abstract void update(INDArray params, INDArray grads, double lr);

    @Override
    public final void step(INDArray params, INDArray grads, double lr) {
        Checks.vector("params", params, size, dtype);
        Checks.vector("grads", grads, size, dtype);
        Checks.learningRate(lr);
        stepCount++;
        update(params, grads, lr);
    }

    /** The live state vector {@code name}. */
    final INDArray buffer(String name) {
        return buffers.get(name);
    }

    /** A reusable work vector, allocated on first use; its contents do not survive a call. */
    final INDArray scratch() {
        if (scratch == null) {
            scratch = newVector();
        }
        return scratch;
    }

    /** {@code grads + wd * params} (PyTorch's L2 weight decay) in a work vector; {@code grads} itself if wd = 0. */
    final INDArray withL2(INDArray params, INDArray grads, double wd) {
        if (wd == 0) {
            return grads;
        }
        if (decayed == null) {
            decayed = newVector();
        }
        return params.mul(wd, decayed).addi(grads);
    }

    final INDArray newVector() {
        return Nd4j.zeros(dtype, size);
    }

    @Override
    public final OptimizerConfig config() {
        return config;
    }

    @Override
    public final long size() {
        return size;
    }

    @Override
    public final DataType dataType() {
        return dtype;
    }

    @Override
    public final long stepCount() {
        return stepCount;
    }

    @Override
    public final Map<String, INDArray> state() {
        Map<String, INDArray> copy = new LinkedHashMap<>();
        buffers.forEach((name, v) -> copy.put(name, v.dup()));
        return Collections.unmodifiableMap(copy);
    }

    @Override
    public final void loadState(Map<String, INDArray> state, long stepCount) {
        checkLoad(state, stepCount);
        state.forEach((name, v) -> Checks.vector("state '" + name + "'", v, size, dtype));
        state.forEach((name, v) -> buffers.get(name).assign(v));
        this.stepCount = stepCount;
    }

    @Override
    public final Map<String, float[]> stateFloats() {
        Map<String, float[]> out = new LinkedHashMap<>();
        buffers.forEach((name, v) -> {
            float[] f = new float[(int) size];
            floats(dtype == DataType.FLOAT ? v : v.castTo(DataType.FLOAT)).get(f);
            out.put(name, f);
        });
        return out;
    }

    @Override
    public final void loadStateFloats(Map<String, float[]> state, long stepCount) {
        checkLoad(state, stepCount);
        state.forEach((name, v) -> {
            if (v == null || v.length != size) {
                throw new IllegalArgumentException("state '" + name + "' must have " + size + " elements, found "
                        + (v == null ? "null" : v.length));
            }
        });
        state.forEach((name, v) -> {
            INDArray b = buffers.get(name);
            if (dtype == DataType.FLOAT) {
                floats(b).put(v);
            } else {
                b.assign(Nd4j.createFromArray(v).castTo(dtype));
            }
        });
        this.stepCount = stepCount;
    }

    /** The checks every load makes before its vectors' own: a state with this optimizer's names, a step count. */
    private void checkLoad(Map<String, ?> state, long stepCount) {
        if (state == null) {
            throw new IllegalArgumentException("state must not be null");
        }
        if (stepCount < 0) {
            throw new IllegalArgumentException("stepCount must be >= 0, found " + stepCount);
        }
        if (!state.keySet().equals(buffers.keySet())) {
            throw new IllegalArgumentException(config.type() + " state must hold " + buffers.keySet() + ", found "
                    + state.keySet());
        }
    }

    /** The elements of a float32 vector (contiguous, rank 1, as {@link #newVector} makes them) over its memory. */
    private static FloatBuffer floats(INDArray v) {
        FloatBuffer b = v.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        int from = (int) v.offset();
        return b.position(from).limit(from + (int) v.length()).slice();
    }

    @Override
    public final void reset() {
        buffers.values().forEach(v -> v.assign(0));
        stepCount = 0;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + config + ", size=" + size + ", dtype=" + dtype + ", step="
                + stepCount + "]";
    }
}
