package io.sparkrnn.engine.io;

import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
 *
 * <p>This class holds the public entry points and the reading of the data; the header is read, validated and
 * written by {@link SafeTensorsHeader}, tensors are written by {@link SafeTensorsWriter}.
 */
public final class SafeTensors {
    /** The largest header accepted, the limit of the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The header key that holds the free-form string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

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
        SafeTensorsWriter.write(out, params, metadata);
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
        SafeTensorsWriter.write(out, tensors, metadata);
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

    // ------------------------------------------------------------------------------------------- reading

    /**
     * Reads a whole safetensors stream into memory. {@code in} is read to its end and not closed. The stream is
     * taken into a byte array first, so that the sizes the header claims are checked against the data before
     * any tensor is allocated ({@link #read(byte[], String)}).
     *
     * @param sourceName names the stream (a path or URI) in error messages
     */
    public static SafeTensorsFile read(InputStream in, String sourceName) throws IOException {
        return read(in.readAllBytes(), sourceName);
    }

    /**
     * Reads a safetensors file held in memory. A header that claims more data than {@code data} holds (a damaged
     * or hostile file claiming a huge tensor) is refused with an {@link EOFException} before anything is
     * allocated for it.
     *
     * @param sourceName names the bytes (a path or URI) in error messages
     */
    public static SafeTensorsFile read(byte[] data, String sourceName) throws IOException {
        InputStream in = new ByteArrayInputStream(data);
        return readBody(in, sourceName, SafeTensorsHeader.read(in, sourceName, data.length));
    }

    /** Reads the safetensors file at {@code path} into memory. */
    public static SafeTensorsFile read(Path path) throws IOException {
        String source = path.toString();
        long size = Files.size(path);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            return readBody(in, source, SafeTensorsHeader.read(in, source, size));
        }
    }

    /**
     * Reads the weights at {@code path} into a new flat vector of {@code layout} and {@code dtype},
     * streaming the data straight into the vector. The file must hold exactly the layout's tensors, with
     * the same shapes and the dtype of {@code dtype}.
     */
    public static FlatParams readParams(Path path, ParamLayout layout, DataType dtype) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            return readParams(in, Files.size(path), path.toString(), layout, dtype);
        }
    }

    /**
     * {@link #readParams(Path, ParamLayout, DataType)} from a stream of {@code size} bytes (read to its end, not
     * closed); {@code source} names it in messages.
     */
    public static FlatParams readParams(InputStream in, long size, String source, ParamLayout layout, DataType dtype)
            throws IOException {
        SafeTensorsHeader h = SafeTensorsHeader.read(in, source, size);
        int elem = SafeTensorsHeader.checkMatchesLayout(source, h.tensors(), layout, dtype);
        FlatParams target;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            target = FlatParams.zeros(layout, dtype);
        }
        BytePointer base = NativeBytes.pointer(target.flat());
        byte[] chunk = NativeBytes.chunk(h.dataLength());
        for (TensorInfo t : h.tensors()) {
            long at = layout.entry(t.name()).offset() * elem;
            NativeBytes.readFully(in, t.byteLength(), elem, base, at, chunk, truncated(source, t));
        }
        expectEnd(in, source, h);
        return target;
    }

    private static SafeTensorsFile readBody(InputStream in, String source, SafeTensorsHeader h) throws IOException {
        Map<String, INDArray> arrays = new HashMap<>();
        byte[] chunk = NativeBytes.chunk(h.dataLength());
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (TensorInfo t : h.tensors()) {
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
        return new SafeTensorsFile(source, h.metadata(), h.tensors(), arrays);
    }

    private static String truncated(String source, TensorInfo t) {
        return source + ": truncated data: tensor '" + t.name() + "' occupies bytes [" + t.begin() + ", " + t.end()
                + ") of the data buffer";
    }

    private static void expectEnd(InputStream in, String source, SafeTensorsHeader h) throws IOException {
        if (in.read() != -1) {
            throw new IllegalArgumentException(source + ": data_offsets cover " + h.dataLength()
                    + " bytes of data, but the file continues after byte " + (8 + h.headerLength() + h.dataLength()));
        }
    }
}
