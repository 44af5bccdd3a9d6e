package io.sparkrnn.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.param.Views;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Written and read back, through a stream and a path: every tensor bit for bit, F32, F64 and the other dtypes. */
class SafeTensorsRoundTripTest extends SafeTensorsTesting {
    @Test
    void f32RoundTripIsBitExactThroughStreamAndPath() throws IOException {
        int[] bits = f32Bits((int) LAYOUT.size(), 1);
        FlatParams src = new FlatParams(LAYOUT, floatsFromBits(bits));
        assertArrayEquals(bits, rawF32(src.flat()), "source array keeps the special bit patterns");
        Map<String, String> meta = Map.of("format", "pt", "round", "120");

        SafeTensorsFile f = read(bytes(src, meta));
        assertEquals(meta, f.metadata());
        FlatParams viaStream = FlatParams.zeros(LAYOUT, DataType.FLOAT);
        f.copyInto(viaStream);
        assertArrayEquals(bits, rawF32(viaStream.flat()));

        Path p = dir.resolve("weights.safetensors");
        SafeTensors.writeParams(p, src, meta);
        FlatParams viaPath = SafeTensors.readParams(p, LAYOUT, DataType.FLOAT);
        assertArrayEquals(bits, rawF32(viaPath.flat()));
        assertArrayEquals(bytes(src, meta), Files.readAllBytes(p), "path and stream writers give the same bytes");
    }

    @Test
    void f64RoundTripIsBitExactThroughStreamAndPath() throws IOException {
        long[] bits = f64Bits((int) LAYOUT.size(), 2);
        FlatParams src = new FlatParams(LAYOUT, doublesFromBits(bits));
        assertArrayEquals(bits, rawF64(src.flat()));

        FlatParams viaStream = FlatParams.zeros(LAYOUT, DataType.DOUBLE);
        read(bytes(src, null)).copyInto(viaStream);
        assertArrayEquals(bits, rawF64(viaStream.flat()));

        Path p = dir.resolve("weights.safetensors");
        SafeTensors.writeParams(p, src, null);
        assertArrayEquals(bits, rawF64(SafeTensors.readParams(p, LAYOUT, DataType.DOUBLE).flat()));
    }

    @Test
    void readGivesEachTensorWithItsShapeDtypeAndValues() throws IOException {
        float[] v = new float[(int) LAYOUT.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = i + 0.25f;
        }
        SafeTensorsFile f = read(bytes(new FlatParams(LAYOUT, Nd4j.createFromArray(v)), null));

        assertEquals(List.of("embedding.weight", "rnn.bias_ih_l0", "head.weight", "head.bias"),
                f.tensors().stream().map(TensorInfo::name).toList());
        assertEquals(new TensorInfo("head.weight", "F32", new long[] {2, 3}, 64, 88), f.tensors().get(2));
        INDArray w = f.get("head.weight");
        assertEquals(DataType.FLOAT, w.dataType());
        assertArrayEquals(new long[] {2, 3}, w.shape());
        // head.weight starts at flat offset 16, row-major: [1][2] is flat element 16 + 5.
        assertEquals(21.25f, w.getFloat(1, 2));
        assertEquals(16.25f, w.getFloat(0, 0));
        assertEquals(23.25f, f.get("head.bias").getFloat(1));
        assertTrue(f.metadata().isEmpty());
    }

    @Test
    void viewsAtNonZeroOffsetsAreWrittenAndFilledInPlace() throws IOException {
        int n = (int) LAYOUT.size();
        int[] bits = f32Bits(n + 10, 3);
        INDArray srcBase = floatsFromBits(bits);
        FlatParams src = new FlatParams(LAYOUT, Views.of(srcBase, 7, n));

        INDArray dstBase = Nd4j.zeros(DataType.FLOAT, n + 6);
        FlatParams dst = new FlatParams(LAYOUT, Views.of(dstBase, 3, n));
        read(bytes(src, null)).copyInto(dst);

        int[] got = rawF32(dstBase);
        for (int i = 0; i < n + 6; i++) {
            int expected = i >= 3 && i < 3 + n ? bits[i - 3 + 7] : 0;
            assertEquals(expected, got[i], "element " + i);
        }
    }

    @Test
    void largeVectorSpanningManyChunksRoundTrips() throws IOException {
        int big = 700_000; // 2.8 MB of F32, about three copy chunks
        ParamLayout layout = ParamLayout.builder().add("embedding.weight", big / 100, 100).add("head.bias", 3).build();
        int[] bits = new int[big + 3];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Float.floatToRawIntBits(i * 0.5f - 1000f);
        }
        int chunkEdge = NativeBytes.CHUNK / 4;
        bits[chunkEdge - 1] = 0x7f800001;
        bits[chunkEdge] = 0xffc00001;
        bits[big + 2] = 0x80000000;
        FlatParams src = new FlatParams(layout, floatsFromBits(bits));

        Path p = dir.resolve("big.safetensors");
        SafeTensors.writeParams(p, src, Map.of("format", "pt"));
        assertArrayEquals(bits, rawF32(SafeTensors.readParams(p, layout, DataType.FLOAT).flat()));
        FlatParams viaFile = FlatParams.zeros(layout, DataType.FLOAT);
        SafeTensors.read(p).copyInto(viaFile);
        assertArrayEquals(bits, rawF32(viaFile.flat()));
    }

    @Test
    void namedArraysOfEveryCommonDtypeRoundTrip() throws IOException {
        INDArray m = Nd4j.createFromArray(new float[][] {{1.5f, -2f, 0.25f}, {3f, -0f, 1e-40f}});
        LinkedHashMap<String, INDArray> state = new LinkedHashMap<>();
        state.put("exp_avg", m);
        state.put("exp_avg_sq", Nd4j.createFromArray(-0.5, 1e300, Double.MIN_VALUE, 4.0));
        state.put("step", Nd4j.scalar(120L));
        state.put("ids", Nd4j.createFromArray(new long[][] {{Long.MIN_VALUE, Long.MAX_VALUE}, {-1L, 42L}}));
        state.put("counts", Nd4j.createFromArray(Integer.MIN_VALUE, 0, Integer.MAX_VALUE));
        state.put("transposed", m.transpose()); // f-order [3, 2], written as its c-order copy
        state.put("none", Nd4j.create(DataType.FLOAT, 2, 0));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, state, Map.of("optimizer", "adam"));
        SafeTensorsFile f = read(out.toByteArray());

        assertEquals(List.of(
                new TensorInfo("exp_avg", "F32", new long[] {2, 3}, 0, 24),
                new TensorInfo("exp_avg_sq", "F64", new long[] {4}, 24, 56),
                new TensorInfo("step", "I64", new long[] {}, 56, 64),
                new TensorInfo("ids", "I64", new long[] {2, 2}, 64, 96),
                new TensorInfo("counts", "I32", new long[] {3}, 96, 108),
                new TensorInfo("transposed", "F32", new long[] {3, 2}, 108, 132),
                new TensorInfo("none", "F32", new long[] {2, 0}, 132, 132)), f.tensors());
        assertEquals(Map.of("optimizer", "adam"), f.metadata());

        assertEquals(m, f.get("exp_avg"));
        assertEquals(Float.floatToRawIntBits(-0f), rawF32(f.get("exp_avg"))[4]);
        assertArrayEquals(new double[] {-0.5, 1e300, Double.MIN_VALUE, 4.0}, f.get("exp_avg_sq").toDoubleVector());
        INDArray step = f.get("step");
        assertEquals(0, step.rank());
        assertEquals(DataType.LONG, step.dataType());
        assertEquals(120L, step.getLong(0));
        INDArray ids = f.get("ids");
        assertEquals(DataType.LONG, ids.dataType());
        assertEquals(Long.MIN_VALUE, ids.getLong(0, 0));
        assertEquals(Long.MAX_VALUE, ids.getLong(0, 1));
        assertEquals(-1L, ids.getLong(1, 0));
        assertEquals(42L, ids.getLong(1, 1));
        assertEquals(DataType.INT, f.get("counts").dataType());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, f.get("counts").toIntVector());
        INDArray t = f.get("transposed");
        assertEquals(-2f, t.getFloat(1, 0));
        assertEquals(1e-40f, t.getFloat(2, 1));
        assertTrue(f.get("none").isEmpty());
        assertArrayEquals(new long[] {2, 0}, f.get("none").shape());
    }
}
