package io.sparkrnn.engine.tensor;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code C = op(A) op(B) + beta C} with bf16 operands and float32 accumulation and output, through oneDNN's matmul
 * (the javacpp presets {@code org.bytedeco:dnnl}), which runs it on the CPU's AVX512-BF16 ({@code vdpbf16ps}) or AMX
 * units. Operands are row-major float32 matrices (the engine's arrays and views); each is taken in bf16 either from
 * the step's weight mirror ({@link Bf16Products}: a parameter view, converted once per step) or, for an activation,
 * rounded to bf16 (nearest even) into a per-thread buffer on each call.
 *
 * <p>Per thread: one oneDNN stream, the matmul primitives by shape (m, n, k, transposes, leading dimensions,
 * accumulate or not), each with its own scratchpad (so that two engine threads never share one), the weights packed
 * for them (one per weight and form, shared by the products of every row count), and OpenMP set to one thread the
 * first time the thread calls in: the engine's threads are the parallelism, oneDNN runs inside one.
 */
final class Bf16Gemm {
    /** Products kept per thread. */
    static final int PRODUCTS = 64;
    private static final ThreadLocal<Bf16Gemm> PER_THREAD = ThreadLocal.withInitial(Bf16Gemm::new);

    private final stream str;
    /** Products by shape, the least recently used closed beyond {@link #PRODUCTS} (seq2seq shapes vary by batch). */
    private final Map<Key, Product> products = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Product> eldest) {
            if (size() > PRODUCTS) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };
    /**
     * Weights packed for this thread's products, by weight and form (op(B)'s shape, transpose and leading
     * dimension): oneDNN's layout does not depend on the product's rows, so the products of a weight at every row
     * count share one, released with the last of them.
     */
    private final Map<PackKey, Packed> packed = new HashMap<>();
    /** Packed weights alive on this thread, shared or not. */
    private int packedWeights;
    private final Operand aBuf = new Operand();
    private final Operand bBuf = new Operand();

    private Bf16Gemm() {
        str = new stream(OneDnn.engine());
        OneDnn.oneOpenMpThread();
    }

    static Bf16Gemm forThread() {
        return PER_THREAD.get();
    }

    /** The packed weights alive on this thread (one per weight and form among its kept products). */
    int packedWeights() {
        return packedWeights;
    }

    /**
     * {@code c = op(a) op(b) + beta c} for {@code beta} 0 or 1; {@code aMirror} ({@code bMirror}) is the operand's
     * bf16 copy in the weight mirror at the same leading dimension, or null to convert the operand here. A weight B
     * ({@code bMirror} not null) is packed into oneDNN's own layout once per {@code version} of the mirror, for the
     * products of every row count; {@code bOffset} is its offset in the mirror, which tells the weights apart.
     */
    void run(INDArray a, ShortPointer aMirror, boolean transA, INDArray b, ShortPointer bMirror, long bOffset,
            boolean transB, INDArray c, boolean accumulate, long version) {
        int m = (int) c.size(0);
        int n = (int) c.size(1);
        int k = (int) (transA ? a.size(0) : a.size(1));
        int lda = ld(a);
        int ldb = ld(b);
        Pointer ap = aMirror;
        Pointer bp = bMirror;
        if (ap == null) {
            ap = aBuf.convert(a);
            lda = (int) a.size(1);
        }
        if (bp == null) {
            bp = bBuf.convert(b);
            ldb = (int) b.size(1);
        }
        Key key = new Key(m, n, k, transA, transB, lda, ldb, ld(c), accumulate, bMirror == null ? -1 : bOffset);
        Product p = products.get(key);
        if (p == null) {
            p = new Product(key, this);
            products.put(key, p);
        }
        if (bMirror != null) {
            p.pack(bp, version, str);
        }
        p.run(ap, bMirror == null ? bp : null, first(DirectGemm.floats(c)), str);
    }

    /**
     * A new pointer at {@code p}'s current element with position 0 (what native calls receive, unambiguously; the
     * array's own pointer object is left as it is).
     */
    static FloatPointer first(FloatPointer p) {
        return p.getPointer(p.position());
    }

    static int ld(INDArray x) {
        return (int) (x.size(0) == 1 ? x.size(1) : x.stride(0));
    }

    /**
     * The shape of one product, which a primitive is made for, and for a weight B its offset in the mirror
     * ({@code weight}; -1 for an activation B).
     */
    private record Key(int m, int n, int k, boolean transA, boolean transB, int lda, int ldb, int ldc,
            boolean accumulate, long weight) {
        PackKey packKey() {
            return new PackKey(weight, k, n, transB, ldb);
        }
    }

    /** A weight (its offset in the mirror) in one form: op(B) [k, n], transposed or not, at leading dimension ldb. */
    private record PackKey(long weight, int k, int n, boolean transB, int ldb) {
    }

    /**
     * The packed weight for a product of {@code key} whose primitive wants {@code layout}: the thread's shared one, or
     * a new one (shared from then on, unless the shared one has another layout, which oneDNN 2.5.2 did not choose
     * for any row count on avx512_core_bf16: then the product keeps its own).
     */
    private Packed packedFor(Key key, memory.desc stored, memory.desc layout) {
        PackKey pk = key.packKey();
        Packed p = packed.get(pk);
        if (p == null || !p.layout.equals(layout)) {
            Packed own = new Packed(pk, stored, layout);
            packedWeights++;
            if (p == null) {
                packed.put(pk, own);
            }
            p = own;
        }
        p.users++;
        return p;
    }

    /** A product no longer uses {@code p}: freed with its last user. */
    private void release(Packed p) {
        if (--p.users == 0) {
            packed.remove(p.key, p);
            p.close();
            packedWeights--;
        }
    }

    /** A weight packed in a primitive's preferred layout, the reorder that packs it from the mirror, its users. */
    private static final class Packed {
        private final PackKey key;
        private final memory.desc layout;
        private final memory weights;
        private final memory mirrored;
        private final reorder packer;
        private long version = -1;
        private int users;

        Packed(PackKey key, memory.desc stored, memory.desc layout) {
            this.key = key;
            this.layout = layout;
            weights = new memory(layout, OneDnn.engine());
            mirrored = new memory(stored, OneDnn.engine(), (Pointer) null);
            packer = new reorder(mirrored, weights);
        }

        /** Packs the weight from the mirror at {@code b} unless it was packed from this version already. */
        void pack(Pointer b, long version, stream str) {
            if (this.version != version) {
                mirrored.set_data_handle(b);
                packer.execute(str, mirrored, weights);
                str._wait();
                this.version = version;
            }
        }

        void close() {
            packer.close();
            mirrored.close();
            weights.close();
        }
    }

    /**
     * One matmul primitive with its memory objects (data handles set per call) and scratchpad; for a weight B also
     * the thread's packed weight it reads.
     */
    private static final class Product {
        private final Bf16Gemm owner;
        private final matmul primitive;
        private final memory src;
        private final memory weights;
        private final memory dst;
        private final IntMemoryMap args = new IntMemoryMap();
        private final memory scratchpad;
        private final Packed packed;

        Product(Key key, Bf16Gemm owner) {
            this.owner = owner;
            memory.desc aMd = desc(key.m, key.k, key.transA, key.lda, memory.data_type.bf16);
            memory.desc bStored = desc(key.k, key.n, key.transB, key.ldb, memory.data_type.bf16);
            boolean weight = key.weight >= 0;
            memory.desc bMd = weight ? new memory.desc(new long[] {key.k, key.n}, memory.data_type.bf16,
                    memory.format_tag.any) : bStored;
            memory.desc cMd = desc(key.m, key.n, false, key.ldc, memory.data_type.f32);
            primitive_attr attr = new primitive_attr();
            attr.set_scratchpad_mode(dnnl.scratchpad_mode.user);
            if (key.accumulate) {
                post_ops ops = new post_ops();
                ops.append_sum();
                attr.set_post_ops(ops);
            }
            matmul.primitive_desc pd = new matmul.primitive_desc(new matmul.desc(aMd, bMd, cMd), attr, OneDnn.engine());
            primitive = new matmul(pd);
            src = new memory(aMd, OneDnn.engine(), (Pointer) null);
            if (weight) {
                this.packed = owner.packedFor(key, bStored, pd.weights_desc());
                weights = this.packed.weights;
            } else {
                this.packed = null;
                weights = new memory(bMd, OneDnn.engine(), (Pointer) null);
            }
            dst = new memory(cMd, OneDnn.engine(), (Pointer) null);
            scratchpad = new memory(pd.scratchpad_desc(), OneDnn.engine());
            args.put(dnnl.DNNL_ARG_SRC, src).put(dnnl.DNNL_ARG_WEIGHTS, weights).put(dnnl.DNNL_ARG_DST, dst)
                    .put(dnnl.DNNL_ARG_SCRATCHPAD, scratchpad);
        }

        /** op(X) of {@code rows x cols}, stored row-major with leading dimension {@code ld} (transposed or not). */
        private static memory.desc desc(int rows, int cols, boolean trans, int ld, memory.data_type type) {
            long[] strides = trans ? new long[] {1, ld} : new long[] {ld, 1};
            return new memory.desc(new long[] {rows, cols}, type, strides);
        }

        /** Frees the native objects. */
        void close() {
            primitive.close();
            args.close();
            src.close();
            dst.close();
            scratchpad.close();
            if (packed != null) {
                owner.release(packed);
            } else {
                weights.close();
            }
        }

        /** Packs the weight from the mirror at {@code b} unless it was packed from this version already. */
        void pack(Pointer b, long version, stream str) {
            packed.pack(b, version, str);
        }

        /** Runs the product; {@code b} is the activation B, or null for the packed weight. */
        void run(Pointer a, Pointer b, FloatPointer c, stream str) {
            src.set_data_handle(a);
            if (b != null) {
                weights.set_data_handle(b);
            }
            dst.set_data_handle(c);
            primitive.execute(str, args);
            str._wait();
        }
    }

    /** A per-thread bf16 copy of an activation operand, grown as needed. */
    private static final class Operand {
        private ShortPointer bf16 = new ShortPointer(0);
        private float[] row = new float[0];
        private short[] out = new short[0];

        /** The stored matrix {@code x} (rows x cols, leading dimension ld) as dense bf16 rows x cols. */
        ShortPointer convert(INDArray x) {
            int rows = (int) x.size(0);
            int cols = (int) x.size(1);
            int ld = ld(x);
            long need = (long) rows * cols;
            if (bf16.capacity() < need) {
                bf16.close();
                bf16 = new ShortPointer(Math.max(need, bf16.capacity() * 2));
            }
            if (row.length < cols) {
                row = new float[cols];
                out = new short[cols];
            }
            long span = (long) (rows - 1) * ld + cols;
            FloatBuffer in = first(DirectGemm.floats(x)).capacity(span).limit(span).asBuffer();
            ShortBuffer to = bf16.limit(need).asBuffer();
            for (int r = 0; r < rows; r++) {
                in.get(r * ld, row, 0, cols);
                toBf16(row, out, cols);
                to.put(r * cols, out, 0, cols);
            }
            return bf16;
        }
    }

    /** {@code dst[i] = bf16(src[i])} for i in [0, n): float32 to bf16, rounding to nearest even, NaN stays NaN. */
    static void toBf16(float[] src, short[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = toBf16(src[i]);
        }
    }

    static short toBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        int rounded = (x + 0x7FFF + ((x >>> 16) & 1)) >>> 16;
        return (short) ((x & 0x7FFFFFFF) > 0x7F800000 ? (x >>> 16) | 0x40 : rounded);
    }
}
