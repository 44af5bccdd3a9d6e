package io.sparkrnn.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the safetensors tests share: a four-tensor layout, values whose bits a float conversion could alter (NaN
 * payloads, signed zeros, subnormals), raw-bit readers, in-memory writes and reads, and a temporary folder.
 */
abstract class SafeTensorsTesting {
    /** 24 parameters in four tensors, PyTorch names. */
    static final ParamLayout LAYOUT = ParamLayout.builder()
            .add("embedding.weight", 3, 4)
            .add("rnn.bias_ih_l0", 4)
            .add("head.weight", 2, 3)
            .add("head.bias", 2)
            .build();

    /** Values that a conversion through float arithmetic could alter: NaN payloads, signs of zero, subnormals. */
    static final int[] F32_SPECIAL_BITS = {
        0x3fc00000, // 1.5
        0xc0000000, // -2.0
        0x00000000, // +0
        0x80000000, // -0
        0x00000001, // smallest subnormal
        0x80000001, // smallest negative subnormal
        0x007fffff, // largest subnormal
        0x807fffff,
        0x7f7fffff, // max
        0x7f800000, // +inf
        0xff800000, // -inf
        0x7fc00000, // canonical quiet NaN
        0x7fc12345, // quiet NaN with payload
        0x7f800001, // signalling NaN
        0xffc00001, // negative quiet NaN with payload
        0xff812345, // negative signalling NaN with payload
    };

    static final long[] F64_SPECIAL_BITS = {
        0x3ff8000000000000L, // 1.5
        0xc000000000000000L, // -2.0
        0x0000000000000000L,
        0x8000000000000000L, // -0
        0x0000000000000001L, // smallest subnormal
        0x800fffffffffffffL, // largest negative subnormal
        0x7fefffffffffffffL, // max
        0x7ff0000000000000L, // +inf
        0xfff0000000000000L, // -inf
        0x7ff8000000000000L, // canonical quiet NaN
        0x7ff8000000012345L, // quiet NaN with payload
        0x7ff0000000000001L, // signalling NaN
        0xfff4000000000abcL, // negative signalling NaN with payload
    };

    @TempDir
    Path dir;

    static int[] f32Bits(int n, int seed) {
        int[] bits = new int[n];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            bits[i] = i < F32_SPECIAL_BITS.length ? F32_SPECIAL_BITS[i] : Float.floatToRawIntBits(r.nextFloat() * 2 - 1);
        }
        return bits;
    }

    static long[] f64Bits(int n, int seed) {
        long[] bits = new long[n];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            bits[i] = i < F64_SPECIAL_BITS.length ? F64_SPECIAL_BITS[i] : Double.doubleToRawLongBits(r.nextGaussian());
        }
        return bits;
    }

    static INDArray floatsFromBits(int[] bits) {
        float[] v = new float[bits.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.intBitsToFloat(bits[i]);
        }
        return Nd4j.createFromArray(v);
    }

    static INDArray doublesFromBits(long[] bits) {
        double[] v = new double[bits.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Double.longBitsToDouble(bits[i]);
        }
        return Nd4j.createFromArray(v);
    }

    /**
     * The raw bits of an array that owns its buffer, read from the buffer's bytes (never through float
     * values, which may quiet a signalling NaN).
     */
    static int[] rawF32(INDArray a) {
        assertEquals(0, a.offset(), "helper needs an array that starts its buffer");
        ByteBuffer b = a.data().asNio().order(ByteOrder.LITTLE_ENDIAN);
        int[] bits = new int[(int) a.length()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = b.getInt(4 * i);
        }
        return bits;
    }

    static long[] rawF64(INDArray a) {
        assertEquals(0, a.offset(), "helper needs an array that starts its buffer");
        ByteBuffer b = a.data().asNio().order(ByteOrder.LITTLE_ENDIAN);
        long[] bits = new long[(int) a.length()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = b.getLong(8 * i);
        }
        return bits;
    }

    static byte[] bytes(FlatParams p, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, p, metadata);
        return out.toByteArray();
    }

    static SafeTensorsFile read(byte[] file) throws IOException {
        return SafeTensors.read(new ByteArrayInputStream(file), "test.safetensors");
    }

    List<String> dirListing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
