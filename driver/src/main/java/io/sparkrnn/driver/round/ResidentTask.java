package io.sparkrnn.driver.round;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;

/**
 * The body of a resident round task ({@link RoundTaskMode#RESIDENT}): it connects to its run's
 * {@link ResidentSession} on the driver, names itself (the session's token and its partition), then runs one round
 * per snapshot the driver sends, on the same cached replica and with the same code as a per-round task
 * ({@link LocalRound#train}), and sends each result back, until the driver says stop or the connection ends.
 * Frames are a 4-byte length and a Java-serialised {@link Snapshot} or {@link WorkerResult} (their vectors in bulk,
 * {@link FloatWire}); length 0 is stop.
 */
final class ResidentTask {
    /** How long a task tries to reach the driver before it fails (and the driver runs its rounds per job). */
    static final int CONNECT_MILLIS = 30_000;
    /** How often a task waiting for the next round looks whether Spark killed it. */
    static final int WAKE_MILLIS = 500;

    private ResidentTask() {
    }

    /** Serves rounds until the driver says stop; returns normally then, throws when the connection breaks. */
    static void run(Iterator<? extends TrainingPartition<?>> data, String host, int port, String token,
            ReplicaSetup setup, RoundConfig cfg, String runId, DeltaInterceptor interceptor) {
        int partition = TaskContext.getPartitionId();
        TrainingPartition<?> d = LocalRound.single(partition, data);
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(host, port), CONNECT_MILLIS);
            } catch (IOException e) {
                throw new IOException("partition " + partition + ": cannot reach the driver's round channel at "
                        + host + ":" + port + " (train.round-tasks = resident or auto): " + e.getMessage() + "; where "
                        + "executors cannot open connections to the driver, set train.round-tasks = per-round", e);
            }
            socket.setTcpNoDelay(true);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            out.writeUTF(token);
            out.writeInt(partition);
            out.flush();
            byte[][] buffer = new byte[1][];
            Frame result = new Frame();
            while (true) {
                int n = nextFrameLength(socket, in, partition);
                if (n == ResidentSession.STOP) {
                    return;
                }
                long start = System.nanoTime();
                Snapshot s = (Snapshot) Frame.decode(in, n, buffer);
                result.encode(LocalRound.train(partition, d, s, setup, cfg, runId, interceptor, start)).send(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("resident round task of partition " + partition + ": " + e.getMessage(), e);
        }
    }

    /**
     * The next frame's length. Between rounds the task waits in steps of {@link #WAKE_MILLIS} and ends when Spark
     * killed it (its job cancelled: the Spark UI, cancelAllJobs), which a blocked socket read would not see; a
     * timed-out read consumes nothing, and the rest of the frame is read without a timeout.
     */
    private static int nextFrameLength(Socket socket, DataInputStream in, int partition) throws IOException {
        TaskContext ctx = TaskContext.get();
        socket.setSoTimeout(WAKE_MILLIS);
        int first;
        while (true) {
            try {
                first = in.read();
                break;
            } catch (SocketTimeoutException e) {
                if (ctx != null && ctx.isInterrupted()) {
                    throw new TaskKilledException(ctx.getKillReason().getOrElse(() -> "killed"));
                }
            }
        }
        socket.setSoTimeout(0);
        if (first < 0) {
            throw new EOFException("the driver closed partition " + partition + "'s round channel");
        }
        return (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
    }
}
