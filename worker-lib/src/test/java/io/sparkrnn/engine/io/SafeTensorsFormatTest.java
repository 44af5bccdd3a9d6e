package io.sparkrnn.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The published file layout: written files parsed independently of the reader (header length, JSON header,
 * offsets), and hand-made files built byte by byte read to the exact values.
 */
class SafeTensorsFormatTest extends SafeTensorsTesting {
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
}
