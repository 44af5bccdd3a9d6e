package io.sparkrnn.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;

/** Every malformed input is refused with a message that names the source and says what was expected. */
class SafeTensorsValidationTest {
    static final String SOURCE = "ckpt-000007/weights.safetensors";

    /** w: F32 [2, 2] at [0, 16); b: F32 [2] at [16, 24). */
    static final String W = "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}";
    static final String B = "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}";

    @TempDir
    Path dir;

    static byte[] file(long headerLength, byte[] header, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header);
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, dataBytes);
    }

    static <E extends Exception> E assertBad(byte[] file, Class<E> type, String... fragments) {
        E e = assertThrows(type, () -> SafeTensors.read(new ByteArrayInputStream(file), SOURCE));
        assertTrue(e.getMessage().startsWith(SOURCE + ": "), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void validFileForTheseCasesReads() throws IOException {
        SafeTensorsFile f = SafeTensors.read(new ByteArrayInputStream(file("{" + W + "," + B + "}", 24)), SOURCE);
        assertEquals(2, f.tensors().size());
        assertEquals(SOURCE, f.sourceName());
    }

    // ---------------------------------------------------------------------------------- framing

    @Test
    void fileShorterThanTheLengthFieldIsTruncated() {
        assertBad(new byte[] {16, 0, 0}, EOFException.class, "8-byte header length", "found 3");
    }

    @Test
    void absurdHeaderLengthIsRefused() {
        assertBad(file(200_000_000L, new byte[0], 0), IllegalArgumentException.class, "200000000", "100000000");
        assertBad(file(-1L, new byte[0], 0), IllegalArgumentException.class, "18446744073709551615");
    }

    @Test
    void headerLongerThanTheFileIsRefused() throws IOException {
        byte[] h = ("{" + W + "}").getBytes(StandardCharsets.UTF_8);
        byte[] bad = file(1000, h, 16);
        // in memory or in a file, the claimed length is checked against the bytes there are before it is read
        assertBad(bad, IllegalArgumentException.class, "header length 1000 is larger than the file",
                (h.length + 16 + 8) + " bytes");

        Path p = dir.resolve("bad.safetensors");
        Files.write(p, bad);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().startsWith(p + ": header length 1000 is larger than the file"), e.getMessage());
    }

    @Test
    void headerThatIsNotJsonIsRefused() {
        assertBad(file("{\"w\": {\"dtype\": ", 0), IllegalArgumentException.class, "not valid JSON");
        assertBad(file("{}x", 0), IllegalArgumentException.class, "not valid JSON");
        byte[] notUtf8 = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
        assertBad(file(notUtf8.length, notUtf8, 0), IllegalArgumentException.class, "not valid UTF-8");
    }

    @Test
    void headerThatIsNotAnObjectIsRefused() {
        assertBad(file("[1, 2]", 0), IllegalArgumentException.class, "must be a JSON object", "found array");
        assertBad(file("        ", 0), IllegalArgumentException.class, "must be a JSON object", "found nothing");
    }

    @Test
    void duplicateTensorNamesAreRefused() {
        assertBad(file("{" + W + "," + W.replace("[0,16]", "[16,32]") + "}", 32), IllegalArgumentException.class,
                "Duplicate", "'w'");
    }

    // ---------------------------------------------------------------------------------- entries

    @Test
    void unknownDtypeIsRefused() {
        assertBad(file("{" + W.replace("F32", "F7") + "}", 16), IllegalArgumentException.class,
                "tensor 'w'", "dtype 'F7'", "F32");
    }

    @Test
    void malformedEntriesAreRefused() {
        assertBad(file("{\"w\":[1]}", 0), IllegalArgumentException.class, "tensor 'w' must be an object");
        assertBad(file("{" + W.replace("[2,2]", "[2,-2]") + "}", 16), IllegalArgumentException.class,
                "tensor 'w' needs a shape of non-negative integers", "[2,-2]");
        assertBad(file("{" + W.replace("[2,2]", "[2,2.5]") + "}", 16), IllegalArgumentException.class,
                "tensor 'w' needs a shape");
        assertBad(file("{" + W.replace("[0,16]", "[0,16,32]") + "}", 16), IllegalArgumentException.class,
                "tensor 'w' needs data_offsets [begin, end]");
        assertBad(file("{" + W.replace("[0,16]", "[16,0]") + "}", 16), IllegalArgumentException.class,
                "begin exceeds the end");
        assertBad(file("{\"__metadata__\":{\"round\":7}," + W + "}", 16), IllegalArgumentException.class,
                "__metadata__ value of 'round' must be a string");
    }

    @Test
    void offsetsThatDoNotMatchTheShapeAreRefused() {
        assertBad(file("{" + W.replace("[0,16]", "[0,12]") + "}", 12), IllegalArgumentException.class,
                "tensor 'w'", "shape [2, 2]", "needs 16 bytes", "span 12");
        assertBad(file("{" + W.replace("[2,2]", "[4611686018427387904,4]") + "}", 16),
                IllegalArgumentException.class, "overflows");
    }

    @Test
    void offsetsWithAGapAreRefused() {
        String b = B.replace("[16,24]", "[20,28]");
        assertBad(file("{" + W + "," + b + "}", 28), IllegalArgumentException.class,
                "not contiguous", "tensor 'b' begins at 20, expected 16", "gap of 4 bytes");
        assertBad(file("{" + B.replace("[16,24]", "[8,16]") + "}", 16), IllegalArgumentException.class,
                "tensor 'b' begins at 8, expected 0");
    }

    @Test
    void overlappingOffsetsAreRefused() {
        String b = B.replace("[16,24]", "[12,20]");
        assertBad(file("{" + W + "," + b + "}", 20), IllegalArgumentException.class,
                "overlap", "tensor 'b' [12, 20)", "'w' ends at 16");
    }

    @Test
    void truncatedDataIsRefused() throws IOException {
        byte[] bad = file("{" + W + "," + B + "}", 20);
        assertBad(bad, EOFException.class, "truncated data", "data_offsets need 24 bytes of data, the file has 20");

        Path p = dir.resolve("short.safetensors");
        Files.write(p, bad);
        EOFException e = assertThrows(EOFException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().startsWith(p + ": truncated data: data_offsets need 24 bytes of data, the file has 20"),
                e.getMessage());
    }

    @Test
    void dataBeyondTheLastTensorIsRefused() throws IOException {
        byte[] bad = file("{" + W + "," + B + "}", 30);
        assertBad(bad, IllegalArgumentException.class, "data_offsets cover 24 bytes");

        Path p = dir.resolve("long.safetensors");
        Files.write(p, bad);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.readParams(p, ParamLayout.builder().add("w", 2, 2).add("b", 2).build(),
                        DataType.FLOAT));
        assertTrue(e.getMessage().startsWith(p + ": data_offsets cover 24 bytes of data, but the file has 30"),
                e.getMessage());
    }

    // ---------------------------------------------------------------------------------- layout checks

    static SafeTensorsFile wb() throws IOException {
        return SafeTensors.read(new ByteArrayInputStream(file("{" + W + "," + B + "}", 24)), SOURCE);
    }

    static <E extends Exception> void assertMessage(E e, String... fragments) {
        assertTrue(e.getMessage().startsWith(SOURCE + ": "), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void copyIntoRefusesMissingAndExtraTensors() throws IOException {
        SafeTensorsFile f = wb();
        ParamLayout more = ParamLayout.builder().add("w", 2, 2).add("b", 2).add("c", 3).build();
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> f.copyInto(FlatParams.zeros(more, DataType.FLOAT))), "missing [c]");
        ParamLayout fewer = ParamLayout.builder().add("w", 2, 2).build();
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> f.copyInto(FlatParams.zeros(fewer, DataType.FLOAT))), "unexpected [b]");
    }

    @Test
    void copyIntoRefusesShapeAndDtypeMismatches() throws IOException {
        SafeTensorsFile f = wb();
        ParamLayout transposed = ParamLayout.builder().add("w", 4, 1).add("b", 2).build();
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> f.copyInto(FlatParams.zeros(transposed, DataType.FLOAT))),
                "tensor 'w' has shape [2, 2], the layout expects [4, 1]");
        ParamLayout same = ParamLayout.builder().add("w", 2, 2).add("b", 2).build();
        FlatParams doubles = FlatParams.zeros(same, DataType.DOUBLE);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> f.copyInto(doubles)),
                "tensor 'w' has dtype F32, the parameter vector expects F64");
        assertEquals(0.0, doubles.flat().sumNumber().doubleValue(), "nothing copied on failure");
    }

    @Test
    void readParamsRefusesAMismatchAndNamesThePath() throws IOException {
        Path p = dir.resolve("weights.safetensors");
        Files.write(p, file("{" + W + "," + B + "}", 24));
        ParamLayout other = ParamLayout.builder().add("w", 2, 2).add("bias", 2).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.readParams(p, other, DataType.FLOAT));
        assertEquals(p + ": tensors do not match the parameter layout: missing [bias] unexpected [b]", e.getMessage());
    }

    @Test
    void getOfAnUnknownNameListsTheKnownOnes() throws IOException {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> wb().get("v")),
                "no tensor named 'v'", "[w, b]");
    }

    // ---------------------------------------------------------------------------------- writing

    @Test
    void invalidWritesAreRefusedBeforeAnyByteIsWritten() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LinkedHashMap<String, INDArray> reserved = new LinkedHashMap<>();
        reserved.put("__metadata__", Nd4j.createFromArray(1f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(out, reserved, null));
        assertTrue(e.getMessage().contains("'__metadata__' is reserved"), e.getMessage());

        LinkedHashMap<String, INDArray> ok = new LinkedHashMap<>();
        ok.put("a", Nd4j.createFromArray(1f));
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("round", null);
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(out, ok, nullValue));
        assertTrue(e.getMessage().contains("round -> null"), e.getMessage());

        LinkedHashMap<String, INDArray> strings = new LinkedHashMap<>();
        strings.put("vocab", Nd4j.create("a", "b"));
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(out, strings, null));
        assertTrue(e.getMessage().contains("tensor 'vocab' has dtype UTF8"), e.getMessage());

        assertEquals(0, out.size(), Arrays.toString(out.toByteArray()));
    }
}
