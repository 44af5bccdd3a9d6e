package io.sparkrnn.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.param.Views;

class SafeTensorsTest {

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

    // ---------------------------------------------------------------------------------- helpers

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

    // ---------------------------------------------------------------------------------- (a) round trips

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

    // ---------------------------------------------------------------------------------- (b) independent parse

    @Test
    void writtenF32FileFollowsThePublishedLayout() throws IOException {
        int[] bits = f32Bits((int) LAYOUT.size(), 4);
        byte[] file = bytes(new FlatParams(LAYOUT, floatsFromBits(bits)), Map.of("format", "pt"));
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        JsonNode header = checkFraming(buf, "F32", 4);
        long dataStart = 8 + buf.getLong(0);
        int i = 0;
        for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonNode off = header.get(name).get("data_offsets");
            for (long at = off.get(0).asLong(); at < off.get(1).asLong(); at += 4) {
                assertEquals(bits[i], buf.getInt((int) (dataStart + at)), name + " element " + i);
                i++;
            }
        }
        assertEquals(bits.length, i);
    }

    @Test
    void writtenF64FileFollowsThePublishedLayout() throws IOException {
        long[] bits = f64Bits((int) LAYOUT.size(), 5);
        byte[] file = bytes(new FlatParams(LAYOUT, doublesFromBits(bits)), Map.of("format", "pt"));
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        checkFraming(buf, "F64", 8);
        long dataStart = 8 + buf.getLong(0);
        for (int i = 0; i < bits.length; i++) {
            assertEquals(bits[i], buf.getLong((int) (dataStart + 8L * i)), "element " + i);
        }
    }

    /** Checks length field, padding, keys, dtypes, shapes and offsets with nothing but ByteBuffer and Jackson. */
    private static JsonNode checkFraming(ByteBuffer buf, String dtype, int size) throws IOException {
        long n = buf.getLong(0);
        assertEquals(0, (8 + n) % 8, "data starts 8-byte aligned");
        byte[] headerBytes = new byte[(int) n];
        buf.get(8, headerBytes);
        String text = new String(headerBytes, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{"), text);
        assertTrue(text.stripTrailing().endsWith("}"), text);
        assertTrue(text.substring(text.lastIndexOf('}') + 1).chars().allMatch(c -> c == ' '), "padding is spaces");
        JsonNode header = new ObjectMapper().readTree(text);

        List<String> keys = new ArrayList<>();
        header.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("__metadata__", "embedding.weight", "rnn.bias_ih_l0", "head.weight", "head.bias"), keys);
        assertEquals("pt", header.get("__metadata__").get("format").textValue());

        long expectedBegin = 0;
        for (ParamLayout.Entry e : LAYOUT.entries()) {
            JsonNode t = header.get(e.name());
            assertEquals(dtype, t.get("dtype").textValue());
            List<Long> shape = new ArrayList<>();
            t.get("shape").forEach(d -> shape.add(d.longValue()));
            assertEquals(Arrays.stream(e.shape()).boxed().toList(), shape);
            JsonNode off = t.get("data_offsets");
            assertEquals(expectedBegin, off.get(0).longValue(), e.name() + " begins where the previous ends");
            expectedBegin += e.length() * size;
            assertEquals(expectedBegin, off.get(1).longValue());
        }
        assertEquals(8 + n + expectedBegin, buf.capacity(), "offsets cover the rest of the file exactly");
        return header;
    }

    // ---------------------------------------------------------------------------------- (c) hand-made files

    /** A file built byte by byte from a literal header, as the published format describes it. */
    static byte[] handMade(String header, ByteBuffer data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data.array());
        return b.array();
    }

    static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void handMadeF32FileReadsToTheExactValues() throws IOException {
        // Header order differs from data order, and the header is not padded: the data starts unaligned.
        String header = "{\"head.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"__metadata__\":{\"format\":\"pt\"},"
                + "\"head.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        ByteBuffer data = le(24).putFloat(1.5f).putFloat(-2.0f).putFloat(0.25f).putFloat(3.0f)
                .putFloat(0.5f).putFloat(-1.0f);
        byte[] file = handMade(header, data);
        assertTrue(header.length() % 8 != 0);
        int dataStart = 8 + header.length();
        assertArrayEquals(new byte[] {0, 0, (byte) 0xc0, 0x3f}, Arrays.copyOfRange(file, dataStart, dataStart + 4),
                "1.5f is 0x3fc00000, little-endian");

        SafeTensorsFile f = read(file);
        assertEquals(Map.of("format", "pt"), f.metadata());
        assertEquals(List.of("head.weight", "head.bias"), f.tensors().stream().map(TensorInfo::name).toList());
        INDArray w = f.get("head.weight");
        assertEquals(DataType.FLOAT, w.dataType());
        assertArrayEquals(new long[] {2, 2}, w.shape());
        assertEquals(1.5f, w.getFloat(0, 0));
        assertEquals(-2.0f, w.getFloat(0, 1));
        assertEquals(0.25f, w.getFloat(1, 0));
        assertEquals(3.0f, w.getFloat(1, 1));
        assertArrayEquals(new float[] {0.5f, -1.0f}, f.get("head.bias").toFloatVector());

        ParamLayout layout = ParamLayout.builder().add("head.weight", 2, 2).add("head.bias", 2).build();
        FlatParams p = FlatParams.zeros(layout, DataType.FLOAT);
        f.copyInto(p);
        assertArrayEquals(new float[] {1.5f, -2.0f, 0.25f, 3.0f, 0.5f, -1.0f}, p.flat().toFloatVector());

        Path path = dir.resolve("hand.safetensors");
        Files.write(path, file);
        assertArrayEquals(new float[] {1.5f, -2.0f, 0.25f, 3.0f, 0.5f, -1.0f},
                SafeTensors.readParams(path, layout, DataType.FLOAT).flat().toFloatVector());
    }

    @Test
    void handMadeFileWithPaddedHeaderAndOtherDtypesReads() throws IOException {
        String json = "{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[16,32]},"
                + "\"n\":{\"dtype\":\"I32\",\"shape\":[1,2],\"data_offsets\":[32,40]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[40,44]},"
                + "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[44,48]}}";
        String header = json + " ".repeat(8 - json.length() % 8);
        ByteBuffer data = le(48).putDouble(-0.5).putDouble(1e300).putLong(-3L).putLong(1L << 40)
                .putInt(7).putInt(-8).putShort((short) 0x3c00).putShort((short) 0xc000).putFloat(6.5f);
        SafeTensorsFile f = read(handMade(header, data));

        assertEquals(DataType.DOUBLE, f.get("d").dataType());
        assertArrayEquals(new double[] {-0.5, 1e300}, f.get("d").toDoubleVector());
        assertArrayEquals(new long[] {-3L, 1L << 40}, f.get("ids").toLongVector());
        assertArrayEquals(new long[] {1, 2}, f.get("n").shape());
        assertEquals(-8, f.get("n").getInt(0, 1));
        assertEquals(DataType.HALF, f.get("h").dataType());
        assertEquals(1.0, f.get("h").getDouble(0)); // 0x3c00
        assertEquals(-2.0, f.get("h").getDouble(1)); // 0xc000
        assertEquals(0, f.get("s").rank());
        assertEquals(6.5f, f.get("s").getFloat(0));
    }

    // ---------------------------------------------------------------------------------- (e) atomic writes

    @Test
    void failedTensorWriteLeavesTheExistingFileAndNoTempFile() throws IOException {
        Path p = dir.resolve("optimizer.safetensors");
        LinkedHashMap<String, INDArray> good = new LinkedHashMap<>();
        good.put("momentum", Nd4j.createFromArray(1f, 2f, 3f));
        SafeTensors.writeTensors(p, good, Map.of("round", "7"));
        byte[] before = Files.readAllBytes(p);

        LinkedHashMap<String, INDArray> bad = new LinkedHashMap<>();
        bad.put("momentum", Nd4j.createFromArray(4f, 5f, 6f));
        bad.put("velocity", null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.writeTensors(p, bad, null));
        assertTrue(e.getMessage().contains("'velocity'"), e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(List.of("optimizer.safetensors"), dirListing());
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.writeTensors(dir.resolve("fresh.safetensors"), bad, null));
        assertEquals(List.of("optimizer.safetensors"), dirListing(), "no half-written file under a new name");
    }

    @Test
    void writeFailingMidStreamLeavesTheExistingFileAndNoTempFile() throws IOException {
        Path p = dir.resolve("weights.safetensors");
        FlatParams old = new FlatParams(LAYOUT, floatsFromBits(f32Bits((int) LAYOUT.size(), 6)));
        SafeTensors.writeParams(p, old, null);
        byte[] before = Files.readAllBytes(p);

        IOException e = assertThrows(IOException.class, () -> SafeTensors.writeAtomically(p, out -> {
            out.write(new byte[100_000]);
            throw new IOException("simulated: no space left on device");
        }));
        assertEquals("simulated: no space left on device", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(List.of("weights.safetensors"), dirListing());
    }

    @Test
    void successfulWriteReplacesTheFileAndLeavesNoTempFile() throws IOException {
        Path p = dir.resolve("weights.safetensors");
        SafeTensors.writeParams(p, new FlatParams(LAYOUT, floatsFromBits(f32Bits((int) LAYOUT.size(), 7))), null);
        int[] bits = f32Bits((int) LAYOUT.size(), 8);
        SafeTensors.writeParams(p, new FlatParams(LAYOUT, floatsFromBits(bits)), Map.of("round", "2"));

        assertEquals(List.of("weights.safetensors"), dirListing());
        assertArrayEquals(bits, rawF32(SafeTensors.readParams(p, LAYOUT, DataType.FLOAT).flat()));
        assertEquals(Map.of("round", "2"), SafeTensors.read(p).metadata());
        assertFalse(Files.exists(dir.resolve("weights.safetensors.tmp")));
    }
}
