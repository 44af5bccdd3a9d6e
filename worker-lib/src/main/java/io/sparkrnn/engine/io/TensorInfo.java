package io.sparkrnn.engine.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a safetensors header: the tensor {@code name}, its {@code dtype} string ("F32", "F64",
 * "I64", ...), its row-major {@code shape} ({@code []} for a scalar) and its bytes
 * {@code [begin, end)} relative to the start of the data buffer that follows the header.
 */
public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Number of data bytes, {@code end - begin}. */
    public long byteLength() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && t.dtype.equals(dtype)
                && Arrays.equals(t.shape, shape) && t.begin == begin && t.end == end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + ": " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
