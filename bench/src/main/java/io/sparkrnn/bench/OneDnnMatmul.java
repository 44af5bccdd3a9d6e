package io.sparkrnn.bench;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * One oneDNN matmul {@code C[m, n] = op(A) op(B)} (row-major, a transpose is a format tag) with float32 output, its
 * operands either bf16 (products of bf16 values accumulated in float32) or float32, through the javacpp presets
 * {@code org.bytedeco:dnnl} 2.5.2-1.5.7: the same javacpp 1.5.7 as ND4J's, so it loads beside ND4J in one JVM. For
 * bf16, {@link #convertA()} rounds the float32 copy of A to bf16 with a oneDNN reorder (what a training step must do
 * with its activations before each product); B is converted once (weights change once per optimizer step).
 */
final class OneDnnMatmul implements AutoCloseable {
    private static engine eng;
    private static stream str;

    private final matmul product;
    private final IntMemoryMap args = new IntMemoryMap();
    private final reorder toBf16;
    private final IntMemoryMap reorderArgs = new IntMemoryMap();
    private final FloatPointer aF32;
    private final Pointer a;
    private final Pointer b;
    private final FloatPointer c;
    private final String impl;
    private final int m;
    private final int n;

    /**
     * {@code aStored} is A as stored: [m, k] row-major, or [k, m] when {@code transA}; {@code bStored} is B: [k, n],
     * or [n, k] when {@code transB}.
     */
    OneDnnMatmul(boolean bf16, int m, int k, int n, float[] aStored, boolean transA, float[] bStored,
            boolean transB) {
        this.m = m;
        this.n = n;
        memory.data_type type = bf16 ? memory.data_type.bf16 : memory.data_type.f32;
        memory.format_tag aTag = transA ? memory.format_tag.ba : memory.format_tag.ab;
        memory.format_tag bTag = transB ? memory.format_tag.ba : memory.format_tag.ab;
        memory.desc aMd = new memory.desc(new long[] {m, k}, type, aTag);
        memory.desc bMd = new memory.desc(new long[] {k, n}, type, bTag);
        memory.desc cMd = new memory.desc(new long[] {m, n}, memory.data_type.f32, memory.format_tag.ab);
        matmul.primitive_desc pd = new matmul.primitive_desc(new matmul.desc(aMd, bMd, cMd), engine());
        impl = pd.impl_info_str().getString();
        product = new matmul(pd);
        aF32 = new FloatPointer(aStored);
        c = new FloatPointer((long) m * n);
        memory aF32Mem = new memory(new memory.desc(new long[] {m, k}, memory.data_type.f32, aTag), engine(), aF32);
        if (bf16) {
            a = new ShortPointer((long) m * k);
            b = new ShortPointer((long) k * n);
            for (int i = 0; i < bStored.length; i++) {
                ((ShortPointer) b).put(i, bf16(bStored[i]));
            }
        } else {
            a = aF32;
            b = new FloatPointer(bStored);
        }
        memory aMem = bf16 ? new memory(aMd, engine(), a) : aF32Mem;
        args.put(dnnl.DNNL_ARG_SRC, aMem).put(dnnl.DNNL_ARG_WEIGHTS, new memory(bMd, engine(), b))
                .put(dnnl.DNNL_ARG_DST, new memory(cMd, engine(), c));
        toBf16 = bf16 ? new reorder(aF32Mem, aMem) : null;
        reorderArgs.put(dnnl.DNNL_ARG_FROM, aF32Mem).put(dnnl.DNNL_ARG_TO, aMem);
        if (bf16) {
            convertA();
        }
    }

    private static synchronized engine engine() {
        if (eng == null) {
            eng = new engine(engine.kind.cpu, 0);
            str = new stream(eng);
        }
        return eng;
    }

    /** The instruction set oneDNN dispatches to on this CPU, e.g. {@code avx512_core_bf16}. */
    static String isa() {
        int isa = dnnl.dnnl_get_effective_cpu_isa();
        return isa == dnnl.dnnl_cpu_isa_avx512_core_amx ? "avx512_core_amx"
                : isa == dnnl.dnnl_cpu_isa_avx512_core_bf16 ? "avx512_core_bf16"
                : isa == dnnl.dnnl_cpu_isa_avx512_core_vnni ? "avx512_core_vnni"
                : isa == dnnl.dnnl_cpu_isa_avx512_core ? "avx512_core"
                : isa == dnnl.dnnl_cpu_isa_avx2 ? "avx2" : "isa " + isa;
    }

    /** oneDNN's name of the kernel it chose, e.g. {@code brg:avx512_core_bf16}. */
    String impl() {
        return impl;
    }

    /** Runs the product (A as last converted). */
    void run() {
        product.execute(str, args);
        str._wait();
    }

    /** Rounds the float32 A to the bf16 operand (a no-op for a float32 product). */
    void convertA() {
        if (toBf16 != null) {
            toBf16.execute(str, reorderArgs);
            str._wait();
        }
    }

    /** C of the last {@link #run()}, row-major [m, n]. */
    float[] result() {
        float[] out = new float[m * n];
        c.get(out);
        return out;
    }

    /** Float32 to bf16, rounding to nearest even (NaN stays NaN). */
    static short bf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((x >>> 16) | 0x40);
        }
        return (short) ((x + 0x7FFF + ((x >>> 16) & 1)) >>> 16);
    }

    @Override
    public void close() {
        product.close();
        if (toBf16 != null) {
            toBf16.close();
        }
        args.close();
        reorderArgs.close();
        a.close();
        b.close();
        c.close();
        if (aF32 != a) {
            aF32.close();
        }
    }
}
