package io.sparkrnn.driver.checkpoint;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * File operations on any Hadoop file system that know nothing of checkpoints: a new file written, synced to the
 * storage and hashed in one pass; a file read whole; a stream closed after a failure without losing it; SHA-256.
 */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    /** The body of a file write. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes the new file {@code p} (it must not exist), synced to the storage where the stream can (HDFS: to the
     * DataNodes' disks); returns its SHA-256 (hex). A failure is an {@link IOException} naming the file.
     */
    public static String writeHashed(FileSystem fs, Path p, Body body) throws IOException {
        MessageDigest md = sha256();
        try {
            FSDataOutputStream raw = fs.create(p, false);
            try {
                OutputStream out = new BufferedOutputStream(new DigestOutputStream(raw, md), 1 << 16);
                body.writeTo(out);
                out.flush();
                hsync(raw);
            } catch (IOException | RuntimeException e) {
                closeAfter(raw, e);
                throw e;
            }
            raw.close();
        } catch (IOException e) {
            throw new IOException("writing " + p + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Syncs what was written to {@code out} to the storage, where the stream can. */
    public static void hsync(FSDataOutputStream out) throws IOException {
        if (out.hasCapability(StreamCapabilities.HSYNC)) {
            out.hsync();
        }
    }

    /** The bytes of file {@code p}. */
    public static byte[] read(FileSystem fs, Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    /**
     * Closes a stream after {@code failure}. Not try-with-resources: an HDFS output stream throws its last failure
     * again from close(), the same instance, which cannot be suppressed by itself.
     */
    public static void closeAfter(Closeable stream, Throwable failure) {
        try {
            stream.close();
        } catch (IOException | RuntimeException e) {
            if (e != failure) {
                failure.addSuppressed(e);
            }
        }
    }

    /** The SHA-256 of {@code bytes}, hex. */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
