package io.sparkrnn.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkrnn.engine.param.Views;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.bytedeco.dnnl.global.dnnl;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The bf16 products: rounding to bf16, the ISA rule, and {@link Tensors#gemm} inside a bf16 step against a float64
 * product of the bf16-rounded operands (what bf16 x bf16 with float32 accumulation must give, to float32 rounding),
 * for every transpose, weight views inside the parameter vector (the mirror) and activations outside it, strided
 * views and accumulation ({@code beta = 1}).
 */
class Bf16GemmTest {
    @Test
    void roundsToNearestEven() {
        assertEquals((short) 0x3F80, Bf16Gemm.toBf16(1.0f));
        // 1 + 2^-8 is half-way between bf16 1 and 1 + 2^-7: to even (1); 1 + 3 * 2^-8 rounds up to 1 + 2^-6.
        assertEquals((short) 0x3F80, Bf16Gemm.toBf16(1.0f + 0x1p-8f));
        assertEquals((short) 0x3F82, Bf16Gemm.toBf16(1.0f + 3 * 0x1p-8f));
        assertEquals((short) 0xBF80, Bf16Gemm.toBf16(-1.0f));
        assertTrue(Float.isNaN(Float.intBitsToFloat(Bf16Gemm.toBf16(Float.NaN) << 16)));
        assertEquals((short) 0x7F80, Bf16Gemm.toBf16(Float.POSITIVE_INFINITY));
    }

    @Test
    void bf16UnitsFromAvx512Bf16On() {
        assertTrue(OneDnn.hasBf16Units(dnnl.dnnl_cpu_isa_avx512_core_bf16));
        assertTrue(OneDnn.hasBf16Units(dnnl.dnnl_cpu_isa_avx512_core_amx));
        assertFalse(OneDnn.hasBf16Units(dnnl.dnnl_cpu_isa_avx512_core_vnni));
        assertFalse(OneDnn.hasBf16Units(dnnl.dnnl_cpu_isa_avx2));
    }

    private static float round(float f) {
        return Float.intBitsToFloat(Bf16Gemm.toBf16(f) << 16);
    }

    private static INDArray random(SplittableRandom r, long rows, long cols) {
        float[] v = new float[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Nd4j.create(v, new long[] {rows, cols}, 'c');
    }

    /** op(a) op(b) in float64 of the bf16-rounded values, plus {@code beta c}. */
    private static double[][] reference(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c, double beta) {
        int m = (int) c.size(0);
        int n = (int) c.size(1);
        int k = (int) (ta ? a.size(0) : a.size(1));
        double[][] out = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = beta * c.getDouble(i, j);
                for (int p = 0; p < k; p++) {
                    s += (double) round(ta ? a.getFloat(p, i) : a.getFloat(i, p))
                            * round(tb ? b.getFloat(j, p) : b.getFloat(p, j));
                }
                out[i][j] = s;
            }
        }
        return out;
    }

    @Test
    void productsMatchTheBf16RoundedFloat64Product() {
        assumeTrue(Bf16Products.available(), "no bf16 units on this CPU (" + Bf16Products.isa() + ")");
        SplittableRandom r = new SplittableRandom(3);
        int m = 24;
        int k = 48;
        int n = 96;
        // A parameter vector holding a [n, k] weight at offset 10 (a view, as the engine's weights are).
        INDArray flat = random(r, 1, 10 + n * k + 7).reshape(10 + n * k + 7);
        INDArray w = Views.of(flat, 10, n, k);
        Bf16Products products = Bf16Products.of(Precision.BF16, flat);
        products.refresh();
        // An activation view with a leading dimension wider than its rows: columns [0, k) of an [m, k + 5] array.
        INDArray wide = random(r, m, k + 5);
        INDArray x = wide.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, k));
        INDArray dy = random(r, m, n);
        for (double beta : new double[] {0, 1}) {
            // Forward: y[m, n] = x W^T (weight transposed from the mirror).
            check(products, x, false, w, true, random(r, m, n), beta);
            // Input gradient: dx[m, k] = dy W.
            check(products, dy, false, w, false, random(r, m, k), beta);
            // Weight gradient: dW[n, k] = dy^T x (two activations, the first transposed).
            check(products, dy, true, x, false, random(r, n, k), beta);
        }
        assertEquals(Precision.BF16, Precision.parse(" BF16 "));
    }

    /**
     * A weight is packed once per form on a thread, whatever the rows of its products: x W^T and dy W at 24 and 40
     * rows, accumulating or not (8 products), keep 2 packed weights, each right after the parameters change.
     */
    @Test
    void productsOfEveryRowCountShareTheThreadsPackedWeight() throws InterruptedException {
        assumeTrue(Bf16Products.available(), "no bf16 units on this CPU (" + Bf16Products.isa() + ")");
        Throwable[] failure = new Throwable[1];
        int[] packed = new int[1];
        // A fresh thread: its products and packed weights are this test's alone.
        Thread t = new Thread(() -> {
            try {
                SplittableRandom r = new SplittableRandom(5);
                int k = 48;
                int n = 96;
                INDArray flat = random(r, 1, n * k).reshape(n * k);
                INDArray w = Views.of(flat, 0, n, k);
                Bf16Products products = Bf16Products.of(Precision.BF16, flat);
                for (int round = 0; round < 2; round++) {
                    products.refresh();
                    for (int m : new int[] {24, 40}) {
                        for (double beta : new double[] {0, 1}) {
                            check(products, random(r, m, k), false, w, true, random(r, m, n), beta);
                            check(products, random(r, m, n), false, w, false, random(r, m, k), beta);
                        }
                    }
                    flat.assign(random(r, 1, n * k).reshape(n * k));
                }
                packed[0] = Bf16Gemm.forThread().packedWeights();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        assertEquals(2, packed[0]);
    }

    private static void check(Bf16Products products, INDArray a, boolean ta, INDArray b, boolean tb, INDArray c,
            double beta) {
        double[][] expected = reference(a, ta, b, tb, c, beta);
        Supplier<Void> body = () -> {
            Tensors.gemm(a, ta, b, tb, c, 1.0, beta);
            return null;
        };
        Bf16Products.run(products, body);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                worst = Math.max(worst, Math.abs(expected[i][j] - c.getDouble(i, j)) / (1 + Math.abs(expected[i][j])));
            }
        }
        // float32 accumulation of up to 96 products of magnitude ~1: a few ulps of the sum.
        assertTrue(worst < 1e-5, "ta " + ta + " tb " + tb + " beta " + beta + ": error " + worst);
    }
}
