package io.sparkrnn.engine.io;

import static io.sparkrnn.engine.io.SafeTensors.MAX_HEADER_BYTES;
import static io.sparkrnn.engine.io.SafeTensors.METADATA_KEY;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.param.ParamLayout;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The header of a safetensors file (see {@link SafeTensors} for the layout): read and validated here, every entry's
 * dtype, shape and data_offsets and the offsets' tiling of the data buffer, and written here as JSON padded with
 * spaces to a multiple of 8 bytes. Errors are {@link IllegalArgumentException}s (an {@link EOFException} for a file
 * that ends too early) whose messages start with the source name.
 *
 * @param metadata     the strings under {@value SafeTensors#METADATA_KEY}, empty when absent
 * @param tensors      the tensors sorted by data offset
 * @param headerLength N, the JSON header's length in bytes
 * @param dataLength   the length of the data buffer that the tensors tile
 */
record SafeTensorsHeader(Map<String, String> metadata, List<TensorInfo> tensors, long headerLength, long dataLength) {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    // ------------------------------------------------------------------------------------------- reading

    /**
     * Reads the length field and the header from {@code in}, and validates every entry and the tiling of the
     * offsets; with the file size, also that the data buffer fills the rest of the file exactly.
     *
     * @param fileSize the total file size when known, else -1
     */
    static SafeTensorsHeader read(InputStream in, String source, long fileSize) throws IOException {
        byte[] lenBytes = in.readNBytes(8);
        if (lenBytes.length < 8) {
            throw new EOFException(source + ": truncated: expected an 8-byte header length, found " + lenBytes.length
                    + " bytes");
        }
        long n = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException(source + ": header length " + Long.toUnsignedString(n)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (fileSize >= 0 && n > fileSize - 8) {
            throw new IllegalArgumentException(source + ": header length " + n + " is larger than the file: "
                    + fileSize + " bytes, " + (fileSize - 8) + " after the length field");
        }
        byte[] headerBytes = in.readNBytes((int) n);
        if (headerBytes.length < n) {
            throw new EOFException(source + ": truncated header: expected " + n + " bytes, found "
                    + headerBytes.length);
        }
        SafeTensorsHeader h = parse(headerBytes, source);
        if (fileSize >= 0) {
            long available = fileSize - 8 - n;
            if (available < h.dataLength) {
                throw new EOFException(source + ": truncated data: data_offsets need " + h.dataLength
                        + " bytes of data, the file has " + available);
            }
            if (available > h.dataLength) {
                throw new IllegalArgumentException(source + ": data_offsets cover " + h.dataLength
                        + " bytes of data, but the file has " + available + " bytes after the header");
            }
        }
        return h;
    }

    /** Parses and validates the JSON header {@code bytes} (without the length field). */
    static SafeTensorsHeader parse(byte[] bytes, String source) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(source + ": header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": header must be a JSON object, found "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        Map<String, String> metadata = Map.of();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(e.getValue(), source);
            } else {
                tensors.add(parseTensor(e.getKey(), e.getValue(), source));
            }
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long dataLength = checkTiling(tensors, source);
        return new SafeTensorsHeader(metadata, Collections.unmodifiableList(tensors), bytes.length, dataLength);
    }

    private static Map<String, String> parseMetadata(JsonNode node, String source) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(source + ": " + METADATA_KEY + " must be an object of strings, found "
                    + node);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException(source + ": " + METADATA_KEY + " value of '" + e.getKey()
                        + "' must be a string, found " + e.getValue());
            }
            m.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(m);
    }

    private static TensorInfo parseTensor(String name, JsonNode node, String source) {
        String where = source + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be an object with dtype, shape and data_offsets, found "
                    + node);
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new IllegalArgumentException(where + " needs a string dtype, found " + dtypeNode);
        }
        Dtype dt = Dtype.forName(dtypeNode.textValue());
        if (dt == null) {
            throw new IllegalArgumentException(where + " has unknown or unsupported dtype '" + dtypeNode.textValue()
                    + "'; supported: " + Dtype.names());
        }
        long[] shape = longs(node.get("shape"), -1, where + " needs a shape of non-negative integers");
        long[] offsets = longs(node.get("data_offsets"), 2, where + " needs data_offsets [begin, end]");
        if (offsets[0] > offsets[1]) {
            throw new IllegalArgumentException(where + " has data_offsets " + Arrays.toString(offsets)
                    + " whose begin exceeds the end");
        }
        long expected;
        try {
            long numel = 1;
            for (long d : shape) {
                numel = Math.multiplyExact(numel, d);
            }
            expected = Math.multiplyExact(numel, dt.size);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(where + " has shape " + Arrays.toString(shape)
                    + " whose byte size overflows 64 bits", e);
        }
        if (offsets[1] - offsets[0] != expected) {
            throw new IllegalArgumentException(where + " (" + dt + ", shape " + Arrays.toString(shape) + ") needs "
                    + expected + " bytes, but data_offsets " + Arrays.toString(offsets) + " span "
                    + (offsets[1] - offsets[0]));
        }
        return new TensorInfo(name, dt.name(), shape, offsets[0], offsets[1]);
    }

    /** The non-negative integers of JSON array {@code node}, of length {@code length} unless that is -1. */
    private static long[] longs(JsonNode node, int length, String expectation) {
        boolean ok = node != null && node.isArray() && (length < 0 || node.size() == length);
        long[] v = new long[ok ? node.size() : 0];
        for (int i = 0; ok && i < v.length; i++) {
            JsonNode x = node.get(i);
            ok = x.isIntegralNumber() && x.canConvertToLong() && x.longValue() >= 0;
            v[i] = ok ? x.longValue() : 0;
        }
        if (!ok) {
            throw new IllegalArgumentException(expectation + ", found " + node);
        }
        return v;
    }

    /** Checks that the tensors, sorted by begin, tile [0, dataLength) without gap or overlap; returns dataLength. */
    private static long checkTiling(List<TensorInfo> sorted, String source) {
        long end = 0;
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < end) {
                throw new IllegalArgumentException(source + ": data_offsets overlap: tensor '" + t.name() + "' ["
                        + t.begin() + ", " + t.end() + ") begins before tensor '" + prev.name() + "' ends at " + end);
            }
            if (t.begin() > end) {
                throw new IllegalArgumentException(source + ": data_offsets are not contiguous: tensor '" + t.name()
                        + "' begins at " + t.begin() + ", expected " + end
                        + (prev == null ? " (the data buffer starts at 0)" : " where tensor '" + prev.name() + "' ends")
                        + "; gap of " + (t.begin() - end) + " bytes");
            }
            end = t.end();
            prev = t;
        }
        return end;
    }

    /**
     * Checks that {@code tensors} are exactly the entries of {@code layout} (no missing, no extra), with
     * the same shapes and the dtype of {@code dtype}; returns the element size.
     */
    static int checkMatchesLayout(String source, List<TensorInfo> tensors, ParamLayout layout, DataType dtype) {
        Dtype want = Dtype.require(dtype, "the parameter vector");
        Map<String, TensorInfo> byName = new HashMap<>();
        for (TensorInfo t : tensors) {
            byName.put(t.name(), t);
        }
        List<String> missing = new ArrayList<>();
        for (ParamLayout.Entry e : layout.entries()) {
            if (!byName.containsKey(e.name())) {
                missing.add(e.name());
            }
        }
        TreeSet<String> extra = new TreeSet<>();
        for (TensorInfo t : tensors) {
            if (!layout.contains(t.name())) {
                extra.add(t.name());
            }
        }
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException(source + ": tensors do not match the parameter layout:"
                    + (missing.isEmpty() ? "" : " missing " + missing)
                    + (extra.isEmpty() ? "" : " unexpected " + extra));
        }
        for (ParamLayout.Entry e : layout.entries()) {
            TensorInfo t = byName.get(e.name());
            if (!Arrays.equals(t.shape(), e.shape())) {
                throw new IllegalArgumentException(source + ": tensor '" + e.name() + "' has shape "
                        + Arrays.toString(t.shape()) + ", the layout expects " + Arrays.toString(e.shape()));
            }
            if (!t.dtype().equals(want.name())) {
                throw new IllegalArgumentException(source + ": tensor '" + e.name() + "' has dtype " + t.dtype()
                        + ", the parameter vector expects " + want + " (" + dtype + ")");
            }
        }
        return want.size;
    }

    // ------------------------------------------------------------------------------------------- writing

    /** The JSON header, padded with spaces to a multiple of 8 bytes so that the data starts 8-aligned. */
    static byte[] encode(List<TensorInfo> infos, Map<String, String> metadata) throws JsonProcessingException {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = root.putObject(METADATA_KEY);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata keys and values must be non-null, found "
                            + e.getKey() + " -> " + e.getValue());
                }
                m.put(e.getKey(), e.getValue());
            }
        }
        for (TensorInfo t : infos) {
            ObjectNode n = root.putObject(t.name());
            n.put("dtype", t.dtype());
            ArrayNode shape = n.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            n.putArray("data_offsets").add(t.begin()).add(t.end());
        }
        byte[] json = JSON.writeValueAsBytes(root);
        int padded = json.length + (8 - json.length % 8) % 8;
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header of " + padded + " bytes exceeds the safetensors limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }
}
