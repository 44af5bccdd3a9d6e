package io.sparkrnn.driver.round;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * A message of the resident round protocol ({@link ResidentSession}, {@link ResidentTask}): a Java-serialised
 * {@link Snapshot} or {@link WorkerResult} (their vectors in bulk, {@link FloatWire}), written with its length in front;
 * length {@link ResidentSession#STOP} tells a task to end. The buffer is kept from frame to frame (a round's frames have
 * the same size), so a round allocates no buffer and copies no array.
 */
final class Frame extends ByteArrayOutputStream {
    Frame() {
        super(1 << 16);
    }

    /** Makes {@code o} this frame's body (replacing the last). */
    Frame encode(Serializable o) {
        reset();
        try (ObjectOutputStream out = new ObjectOutputStream(this)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Writes the length and the body to {@code out} and flushes it. */
    void send(DataOutputStream out) throws IOException {
        out.writeInt(count);
        out.write(buf, 0, count);
        out.flush();
    }

    /**
     * Reads an {@code n}-byte frame body from {@code in} into {@code buffer} (or a larger one, returned in
     * {@code buffer[0]}) and deserialises it.
     */
    static Object decode(DataInputStream in, int n, byte[][] buffer) throws IOException {
        if (n <= 0) {
            throw new IOException("a frame of " + n + " bytes where a round's message was expected");
        }
        if (buffer[0] == null || buffer[0].length < n) {
            buffer[0] = new byte[n];
        }
        in.readFully(buffer[0], 0, n);
        try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(buffer[0], 0, n))) {
            return o.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException(e);
        }
    }
}
