package io.sparkrnn.engine.tensor;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.ShortPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The bf16 matrix products of one model's training steps ({@code train.precision = bf16}): while a step runs inside
 * {@link #run}, {@link Tensors#gemm} computes eligible float32 products as bf16 x bf16 with float32 accumulation
 * ({@link Bf16Gemm}, oneDNN). Everything else stays float32: the parameters (master weights), the optimizer state,
 * the element-wise cell math, losses and the gradient sums ({@code beta = 1} products accumulate in float32).
 *
 * <p>Operands: a matrix that lies inside the parameter vector (a weight view, transposed or not) is read from a bf16
 * mirror of the whole vector, converted once per step by {@link #refresh} (the trainer calls it before each step, so
 * an optimizer update, a loaded checkpoint or an outer step's new weights are always seen); any other operand
 * (inputs, states, gradients of activations) is converted per product. Products with {@code m n k} below
 * {@link #MIN_MNK}, {@code alpha != 1} or {@code beta} other than 0 and 1, and float64 arrays run in float32.
 *
 * <p>One object per trainer; {@link #refresh} runs on the trainer's thread before the step, the products on any
 * thread that {@link #run} was entered on (the batch-parallel blocks enter it with the caller's object).
 */
public final class Bf16Products {
    /**
     * Products smaller than this ({@code m n k}) run in float32: there the bf16 conversion of the activations and
     * oneDNN's per-call cost exceed what the bf16 units save (docs/engine.md, "bf16 products").
     */
    static final long MIN_MNK = 16L * 64 * 64;
    private static final ThreadLocal<Bf16Products> CURRENT = new ThreadLocal<>();
    private static final int CHUNK = 8192;

    private final INDArray flat;
    private final long base;
    private final long length;
    private final ShortPointer mirror;
    /** Numbers every {@link #refresh} of every object, so that a packed weight knows the mirror it came from. */
    private static final AtomicLong VERSIONS = new AtomicLong();
    /** This mirror's number: weights packed from another one are packed again. */
    private long version;
    private final float[] in = new float[CHUNK];
    private final short[] out = new short[CHUNK];

    private Bf16Products(INDArray flat) {
        this.flat = flat;
        this.base = Bf16Gemm.first(DirectGemm.floats(flat)).address();
        this.length = flat.length();
        this.mirror = new ShortPointer(length);
    }

    /**
     * The products of steps over the float32 parameter vector {@code flat}, or null to run the steps in float32:
     * for {@link Precision#FLOAT32}, float64 parameters, or a CPU without bf16 units (logged once per process).
     */
    public static Bf16Products of(Precision precision, INDArray flat) {
        if (precision != Precision.BF16 || flat.dataType() != DataType.FLOAT || !OneDnn.available()) {
            return null;
        }
        return new Bf16Products(flat);
    }

    /** The instruction set oneDNN runs bf16 products with on this CPU, e.g. {@code avx512_core_bf16}. */
    public static String isa() {
        return OneDnn.isa();
    }

    /** Whether this CPU has bf16 units that oneDNN uses (else {@code bf16} runs float32). */
    public static boolean available() {
        return OneDnn.available();
    }

    /** Converts the parameter vector to the bf16 mirror; call after the parameters change, before products run. */
    public void refresh() {
        FloatBuffer src = Bf16Gemm.first(DirectGemm.floats(flat)).capacity(length).limit(length).asBuffer();
        ShortBuffer dst = mirror.position(0).limit(length).asBuffer();
        for (long i = 0; i < length; i += CHUNK) {
            int n = (int) Math.min(CHUNK, length - i);
            src.get((int) i, in, 0, n);
            Bf16Gemm.toBf16(in, out, n);
            dst.put((int) i, out, 0, n);
        }
        version = VERSIONS.incrementAndGet();
    }

    /** Runs {@code body} with this object's products on the current thread (null: float32 products). */
    public static <T> T run(Bf16Products products, Supplier<T> body) {
        Bf16Products before = CURRENT.get();
        CURRENT.set(products);
        try {
            return body.get();
        } finally {
            CURRENT.set(before);
        }
    }

    /** The products in force on this thread, or null (float32). */
    public static Bf16Products current() {
        return CURRENT.get();
    }

    /**
     * Runs {@code c = alpha op(a) op(b) + beta c} in bf16 and returns true, or returns false (nothing done) for a
     * product that stays float32 (see the class comment).
     */
    boolean gemm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double alpha, double beta) {
        if (alpha != 1.0 || (beta != 0.0 && beta != 1.0) || c.dataType() != DataType.FLOAT
                || a.dataType() != DataType.FLOAT || b.dataType() != DataType.FLOAT
                || !DirectGemm.rowMajor(a) || !DirectGemm.rowMajor(b) || !DirectGemm.rowMajor(c)) {
            return false;
        }
        long m = c.size(0);
        long n = c.size(1);
        long k = transA ? a.size(0) : a.size(1);
        if ((transA ? a.size(1) : a.size(0)) != m || (transB ? b.size(0) : b.size(1)) != n
                || (transB ? b.size(1) : b.size(0)) != k || m * n * k < MIN_MNK
                || Math.max(Math.max(a.length(), b.length()), c.length()) > Integer.MAX_VALUE) {
            return false; // DirectGemm reports shapes that do not fit
        }
        long bOffset = offset(b);
        long aOffset = offset(a);
        Bf16Gemm.forThread().run(a, aOffset < 0 ? null : mirror.getPointer(aOffset), transA, b,
                bOffset < 0 ? null : mirror.getPointer(bOffset), bOffset, transB, c, beta == 1.0, version);
        return true;
    }

    /** {@code x}'s offset in the parameter vector (its bf16 copy's in the mirror), or -1 for no weight view. */
    private long offset(INDArray x) {
        long addr = Bf16Gemm.first(DirectGemm.floats(x)).address();
        long last = addr + 4L * ((x.size(0) - 1) * Bf16Gemm.ld(x) + x.size(1) - 1);
        if (addr < base || last >= base + 4 * length) {
            return -1;
        }
        return (addr - base) / 4;
    }
}
