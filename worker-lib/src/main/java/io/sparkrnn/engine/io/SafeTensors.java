package io.sparkrnn.engine.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;

/**
 * Reads and writes the safetensors format (huggingface/safetensors; docs/formats.md, "safetensors"):
 *
 * <pre>
 *   8 bytes   N, unsigned 64-bit little-endian: the header length
 *   N bytes   UTF-8 JSON object {"__metadata__": {string: string}?,
 *                                 name: {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ...}
 *             possibly padded with trailing spaces (0x20)
 *   rest      the data buffer; tensor bytes are row-major, little-endian, at [begin, end) of the buffer
 * </pre>
 *
 * <p>The offsets of all tensors must tile the data buffer exactly: sorted by {@code begin} they start at 0,
 * each begins where the previous one ends, {@code end - begin = product(shape) * sizeof(dtype)}, and the
 * last one ends at the end of the file. Like the reference implementation, a header longer than
 * {@value #MAX_HEADER_BYTES} bytes is refused.
 *
 * <p>Writers here pad the header with spaces so that the data buffer starts at a file offset that is a
 * multiple of 8 (as the reference writer does), and write tensors in the caller's order, so a
 * {@link FlatParams} is written as its flat vector byte for byte. Data is copied as raw bytes in both
 * directions: NaN payloads, signed zeros and subnormals survive a round trip. Nothing is written to the
 * stream when the arguments fail validation; the {@code Path} variants write to a temporary file in the
 * target's directory and atomically rename it, so a reader never sees a half-written file.
 *
 * <p>Bad input is an {@link IllegalArgumentException}, and a file that ends too early an
 * {@link EOFException}; both messages start with the source name and say what was expected and found.
 */
public final class SafeTensors {
    /** The largest header accepted, the limit of the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The header key that holds the free-form string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private SafeTensors() {
    }

    // ------------------------------------------------------------------------------------------- writing

    /**
     * Writes {@code params} as one tensor per layout entry, in layout order, with the dtype of the flat
     * vector (F32 for FLOAT, F64 for DOUBLE). The stream is neither flushed nor closed.
     *
     * @param metadata stored under {@value #METADATA_KEY}; null or empty for none
     */
    public static void write(OutputStream out, FlatParams params, Map<String, String> metadata) throws IOException {
        Dtype dt = dtypeOf(params.dataType(), "flat parameter vector");
        List<TensorInfo> infos = new ArrayList<>();
        long pos = 0;
        for (ParamLayout.Entry e : params.layout().entries()) {
            long bytes = Math.multiplyExact(e.length(), dt.size);
            infos.add(new TensorInfo(checkName(e.name()), dt.name(), e.shape(), pos, pos + bytes));
            pos += bytes;
        }
        writeHeader(out, infos, metadata);
        BytePointer base = NativeBytes.pointer(params.flat());
        byte[] chunk = NativeBytes.chunk(pos);
        for (ParamLayout.Entry e : params.layout().entries()) {
            NativeBytes.copyOut(base, e.offset() * dt.size, e.length() * dt.size, dt.size, out, chunk);
        }
    }

    /**
     * Writes arbitrary named arrays (optimizer state, for example) in map order. Arrays of any rank,
     * including scalars and empty arrays, in any supported ND4J type (FLOAT, DOUBLE, LONG, INT, ...); an
     * array that is not contiguous in c order is written as its c-order copy. The stream is neither
     * flushed nor closed.
     *
     * @param metadata stored under {@value #METADATA_KEY}; null or empty for none
     */
    public static void write(OutputStream out, LinkedHashMap<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        List<TensorInfo> infos = new ArrayList<>();
        List<INDArray> arrays = new ArrayList<>();
        long pos = 0;
        for (Map.Entry<String, INDArray> en : tensors.entrySet()) {
            String name = checkName(en.getKey());
            INDArray a = en.getValue();
            if (a == null) {
                throw new IllegalArgumentException("tensor '" + name + "' is null");
            }
            Dtype dt = dtypeOf(a.dataType(), "tensor '" + name + "'");
            INDArray c = cContiguous(a);
            long bytes = Math.multiplyExact(c.length(), dt.size);
            infos.add(new TensorInfo(name, dt.name(), c.shape(), pos, pos + bytes));
            arrays.add(c);
            pos += bytes;
        }
        writeHeader(out, infos, metadata);
        byte[] chunk = NativeBytes.chunk(pos);
        for (int i = 0; i < infos.size(); i++) {
            TensorInfo t = infos.get(i);
            if (t.byteLength() > 0) {
                int size = Dtype.valueOf(t.dtype()).size;
                NativeBytes.copyOut(NativeBytes.pointer(arrays.get(i)), 0, t.byteLength(), size, out, chunk);
            }
        }
    }

    /** {@link #write(OutputStream, FlatParams, Map)} to {@code path}, atomically: see {@link #writeAtomically}. */
    public static void writeParams(Path path, FlatParams params, Map<String, String> metadata) throws IOException {
        writeAtomically(path, out -> write(out, params, metadata));
    }

    /** {@link #write(OutputStream, LinkedHashMap, Map)} to {@code path}, atomically: see {@link #writeAtomically}. */
    public static void writeTensors(Path path, LinkedHashMap<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        writeAtomically(path, out -> write(out, tensors, metadata));
    }

    /** The body of a file write. */
    @FunctionalInterface
    interface StreamWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Runs {@code body} against a new temporary file in the directory of {@code target}, forces it to
     * disk, then renames it onto {@code target} atomically (replacing an existing file). If anything
     * fails the temporary file is deleted and an existing {@code target} is left as it was.
     */
    static void writeAtomically(Path target, StreamWriter body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                body.writeTo(out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
    }

    private static void writeHeader(OutputStream out, List<TensorInfo> infos, Map<String, String> metadata)
            throws IOException {
        byte[] header = headerBytes(infos, metadata);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(len.array());
        out.write(header);
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes so that the data starts 8-aligned. */
    static byte[] headerBytes(List<TensorInfo> infos, Map<String, String> metadata) throws JsonProcessingException {
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

    private static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor names must be non-empty, found " + (name == null ? "null" : "''"));
        }
        if (name.equals(METADATA_KEY)) {
            throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved for metadata and cannot name a tensor");
        }
        return name;
    }

    private static Dtype dtypeOf(DataType t, String what) {
        Dtype d = Dtype.forNd4j(t);
        if (d == null) {
            throw new IllegalArgumentException(what + " has dtype " + t + ", which safetensors cannot store; supported: "
                    + Dtype.names());
        }
        return d;
    }

    /** {@code a} itself when its elements are contiguous in c order from element 0, else a c-order copy. */
    private static INDArray cContiguous(INDArray a) {
        if (a.isEmpty()) {
            return a;
        }
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return a.dup('c');
            }
            expected *= shape[i];
        }
        return a;
    }

    // ------------------------------------------------------------------------------------------- reading

    /**
     * Reads a whole safetensors stream into memory. {@code in} is read to its end and not closed.
     *
     * @param sourceName names the stream (a path or URI) in error messages
     */
    public static SafeTensorsFile read(InputStream in, String sourceName) throws IOException {
        return readBody(in, sourceName, readHeader(in, sourceName, -1));
    }

    /** Reads the safetensors file at {@code path} into memory. */
    public static SafeTensorsFile read(Path path) throws IOException {
        String source = path.toString();
        long size = Files.size(path);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            return readBody(in, source, readHeader(in, source, size));
        }
    }

    /**
     * Reads the weights at {@code path} into a new flat vector of {@code layout} and {@code dtype},
     * streaming the data straight into the vector. The file must hold exactly the layout's tensors, with
     * the same shapes and the dtype of {@code dtype}.
     */
    public static FlatParams readParams(Path path, ParamLayout layout, DataType dtype) throws IOException {
        String source = path.toString();
        long size = Files.size(path);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            Header h = readHeader(in, source, size);
            int elem = checkMatchesLayout(source, h.tensors, layout, dtype);
            FlatParams target;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                target = FlatParams.zeros(layout, dtype);
            }
            BytePointer base = NativeBytes.pointer(target.flat());
            byte[] chunk = NativeBytes.chunk(h.dataLength);
            for (TensorInfo t : h.tensors) {
                long at = layout.entry(t.name()).offset() * elem;
                NativeBytes.readFully(in, t.byteLength(), elem, base, at, chunk, truncated(source, t));
            }
            expectEnd(in, source, h);
            return target;
        }
    }

    /** The parsed header: metadata, tensors sorted by data offset, header and data lengths. */
    record Header(Map<String, String> metadata, List<TensorInfo> tensors, long headerLength, long dataLength) {
    }

    private static SafeTensorsFile readBody(InputStream in, String source, Header h) throws IOException {
        Map<String, INDArray> arrays = new HashMap<>();
        byte[] chunk = NativeBytes.chunk(h.dataLength);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (TensorInfo t : h.tensors) {
                Dtype dt = Dtype.valueOf(t.dtype());
                INDArray a;
                if (t.numel() == 0) {
                    a = Nd4j.create(dt.nd4j, t.shape(), 'c');
                } else {
                    a = Nd4j.createUninitialized(dt.nd4j, t.shape(), 'c');
                    NativeBytes.readFully(in, t.byteLength(), dt.size, NativeBytes.pointer(a), 0, chunk,
                            truncated(source, t));
                }
                arrays.put(t.name(), a);
            }
        }
        expectEnd(in, source, h);
        return new SafeTensorsFile(source, h.metadata, h.tensors, arrays);
    }

    private static String truncated(String source, TensorInfo t) {
        return source + ": truncated data: tensor '" + t.name() + "' occupies bytes [" + t.begin() + ", " + t.end()
                + ") of the data buffer";
    }

    private static void expectEnd(InputStream in, String source, Header h) throws IOException {
        if (in.read() != -1) {
            throw new IllegalArgumentException(source + ": data_offsets cover " + h.dataLength
                    + " bytes of data, but the file continues after byte " + (8 + h.headerLength + h.dataLength));
        }
    }

    /**
     * Reads the length field and the header, and validates every entry and the tiling of the offsets.
     *
     * @param fileSize the total file size when known, else -1
     */
    static Header readHeader(InputStream in, String source, long fileSize) throws IOException {
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
        Header h = parseHeader(headerBytes, source);
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

    static Header parseHeader(byte[] bytes, String source) {
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
        return new Header(metadata, Collections.unmodifiableList(tensors), bytes.length, dataLength);
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
        Dtype want = dtypeOf(dtype, "the parameter vector");
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
}
