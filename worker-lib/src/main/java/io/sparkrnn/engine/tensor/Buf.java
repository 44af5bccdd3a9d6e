package io.sparkrnn.engine.tensor;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Direct element access to the native memory of a contiguous array, for the engine's fused element-wise
 * kernels: one pass over the data instead of one native op (and one temporary) per arithmetic step. Values are
 * read and written as double; a float32 array rounds on store. Index 0 is the array's first element. The float32
 * kernels instead copy blocks to and from on-heap {@code float[]} ({@link F32#read}, {@link F32#write}), whose
 * loops the JIT vectorises.
 */
public abstract sealed class Buf permits Buf.F32, Buf.F64 {
    protected final int base;
    /**
     * The array whose memory this reads and writes. Held so that it stays reachable as long as the Buf: the
     * NIO view alone does not keep ND4J's native memory alive, and a collected array's memory is freed.
     */
    private final INDArray owner;

    Buf(INDArray owner, int base) {
        this.owner = owner;
        this.base = base;
    }

    /** The array this gives access to. */
    public INDArray array() {
        return owner;
    }

    /** Access to {@code a}, which must be contiguous in c order (a view is fine). */
    public static Buf of(INDArray a) {
        if (a.ordering() != 'c' || a.length() > 1 && a.elementWiseStride() != 1 || !a.isVectorOrScalar() && !isDense(a)) {
            throw new IllegalArgumentException("fused kernels need a contiguous c-order array, found shape "
                    + java.util.Arrays.toString(a.shape()) + " stride " + java.util.Arrays.toString(a.stride()));
        }
        int base = (int) a.offset();
        if (a.dataType() == DataType.FLOAT) {
            return new F32(a, a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer(), base);
        }
        if (a.dataType() == DataType.DOUBLE) {
            return new F64(a, a.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer(), base);
        }
        throw new IllegalArgumentException("fused kernels support FLOAT and DOUBLE, found " + a.dataType());
    }

    private static boolean isDense(INDArray a) {
        long expect = 1;
        long[] shape = a.shape();
        long[] stride = a.stride();
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expect) {
                return false;
            }
            expect *= shape[d];
        }
        return true;
    }

    public abstract double get(int i);

    public abstract void set(int i, double v);

    /** float32 storage. */
    public static final class F32 extends Buf {
        private final FloatBuffer b;

        F32(INDArray owner, FloatBuffer b, int base) {
            super(owner, base);
            this.b = b;
        }

        @Override
        public double get(int i) {
            return b.get(base + i);
        }

        @Override
        public void set(int i, double v) {
            b.put(base + i, (float) v);
        }

        /** Copies elements [i, i + len) into {@code dst[off, off + len)} (one bulk copy). */
        public void read(int i, float[] dst, int off, int len) {
            b.get(base + i, dst, off, len);
        }

        /** Copies {@code src[off, off + len)} into elements [i, i + len) (one bulk copy). */
        public void write(int i, float[] src, int off, int len) {
            b.put(base + i, src, off, len);
        }
    }

    /** float64 storage. */
    public static final class F64 extends Buf {
        private final DoubleBuffer b;

        F64(INDArray owner, DoubleBuffer b, int base) {
            super(owner, base);
            this.b = b;
        }

        @Override
        public double get(int i) {
            return b.get(base + i);
        }

        @Override
        public void set(int i, double v) {
            b.put(base + i, v);
        }
    }

    /** The logistic function 1 / (1 + e^-x). */
    public static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /**
     * tanh with one exponential: 1 - 2 / (e^{2x} + 1). Its absolute error is a few ulps of 1 (about 2e-16), which
     * near 0 is a larger relative error than Math.tanh's but is far below what float32 training or float64
     * finite differences resolve; it saturates cleanly.
     */
    public static double tanh(double x) {
        if (x > 20) {
            return 1.0;
        }
        if (x < -20) {
            return -1.0;
        }
        return 1.0 - 2.0 / (Math.exp(2 * x) + 1.0);
    }
}
