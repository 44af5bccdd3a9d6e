package io.sparkrnn.engine.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;

import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Raw byte copies between the host memory of ND4J arrays and streams, through a reusable chunk so that
 * no copy of a whole tensor is ever built on the Java heap. Bytes are copied, never values: converting
 * through {@code float} may quiet a signalling NaN, and safetensors promises bit-exact data.
 * safetensors data is little-endian; on a big-endian host every element is byte-swapped on the way.
 */
final class NativeBytes {
    /** Bytes moved per step; a multiple of every element size. */
    static final int CHUNK = 1 << 20;

    private static final boolean BIG_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    private NativeBytes() {
    }

    /**
     * A byte pointer at element 0 of {@code a}. The data buffer of a view already starts at the view's
     * offset, so no offset is added here; {@code a} must be contiguous in c order.
     */
    static BytePointer pointer(INDArray a) {
        return new BytePointer(a.data().addressPointer());
    }

    /** A chunk buffer for a copy of {@code totalBytes} bytes. */
    static byte[] chunk(long totalBytes) {
        return new byte[(int) Math.max(8, Math.min(CHUNK, totalBytes))];
    }

    /** Writes {@code count} bytes of native memory starting {@code offset} bytes after {@code src} to {@code out}. */
    static void copyOut(BytePointer src, long offset, long count, int elemSize, OutputStream out, byte[] chunk)
            throws IOException {
        long done = 0;
        while (done < count) {
            int n = (int) Math.min(chunk.length, count - done);
            src.position(offset + done).get(chunk, 0, n);
            swapIfBigEndian(chunk, n, elemSize);
            out.write(chunk, 0, n);
            done += n;
        }
    }

    /**
     * Reads exactly {@code count} bytes from {@code in} into native memory starting {@code offset} bytes
     * after {@code dst}; a stream that ends early is an {@link EOFException} whose message starts with
     * {@code what}.
     */
    static void readFully(InputStream in, long count, int elemSize, BytePointer dst, long offset, byte[] chunk,
            String what) throws IOException {
        long done = 0;
        while (done < count) {
            int n = (int) Math.min(chunk.length, count - done);
            int got = in.readNBytes(chunk, 0, n);
            if (got < n) {
                throw new EOFException(what + ": expected " + count + " bytes, found " + (done + got));
            }
            swapIfBigEndian(chunk, n, elemSize);
            dst.position(offset + done).put(chunk, 0, n);
            done += n;
        }
    }

    /** Reverses the bytes of each element of {@code buf[0, n)} on a big-endian host; a no-op otherwise. */
    static void swapIfBigEndian(byte[] buf, int n, int elemSize) {
        if (BIG_ENDIAN_HOST) {
            swap(buf, n, elemSize);
        }
    }

    static void swap(byte[] buf, int n, int elemSize) {
        for (int e = 0; e + elemSize <= n; e += elemSize) {
            for (int i = 0, j = elemSize - 1; i < j; i++, j--) {
                byte t = buf[e + i];
                buf[e + i] = buf[e + j];
                buf[e + j] = t;
            }
        }
    }
}
