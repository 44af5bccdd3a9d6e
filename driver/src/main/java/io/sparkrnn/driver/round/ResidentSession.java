package io.sparkrnn.driver.round;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's side of resident round tasks ({@link RoundTaskMode#RESIDENT}): a server socket on the driver's
 * address, one Spark job whose tasks ({@link ResidentTask}, one per partition) connect to it, and per round the
 * snapshot sent to every task and one result read back from each. Each connection has a reader thread that puts what
 * it reads (results, or the connection's end) in one inbox, so a lost task is seen as soon as its connection ends,
 * whichever task the round is waiting for.
 *
 * <p>A session is {@link Broken} when a task's connection ends or fails mid-session (its task failed or its executor
 * died), when a second attempt of a partition's task connects (Spark retried it: the first is gone), when its job
 * ends while a result is missing, or when the tasks do not all connect within the start timeout. The caller then
 * closes it and runs the round as its own job. {@link #stop} (another job of the application started) tells the tasks
 * to end after the round they may be running.
 *
 * <p>Connections carry the session's random token (the tasks receive it in their closure, as they receive the
 * model), so another process that reaches the port is refused.
 */
final class ResidentSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResidentSession.class);
    /** The local property that marks a session's job with the session's id. */
    static final String SESSION_PROPERTY = "spark-rnn.resident.session";
    /** The frame length that tells a task to end. */
    static final int STOP = 0;
    /** How long the driver waits for every task to connect. */
    static final long START_MILLIS = 60_000;
    /** How long the driver waits for missing results after the session's job has ended. */
    private static final long GRACE_MILLIS = 5_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JavaSparkContext sc;
    private final String id;
    private final String token;
    private final ServerSocket server;
    private final Socket[] sockets;
    private final DataOutputStream[] outs;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /** Send the snapshot to partitions 1.. while the round's thread sends it to partition 0. */
    private final ExecutorService writers;
    private JavaFutureAction<Void> job;
    private volatile boolean closing;
    private boolean stopped;
    /** Why the session cannot take another round although the last one completed (a task ended after it). */
    private String dead;

    /** Why a session cannot go on; the round it was running is to be run as its own job. */
    static final class Broken extends Exception {
        Broken(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A connection's end as its reader saw it. */
    private record Lost(int partition, String why, Throwable cause) {
    }

    private ResidentSession(JavaSparkContext sc, String id, int partitions) throws IOException {
        this.sc = sc;
        this.id = id;
        byte[] t = new byte[16];
        RANDOM.nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
        SparkConf conf = sc.getConf();
        String host = conf.get("spark.driver.host", InetAddress.getLocalHost().getHostAddress());
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(conf.get("spark.driver.bindAddress", host), 0), Math.max(50, partitions));
        this.sockets = new Socket[partitions];
        this.outs = new DataOutputStream[partitions];
        this.writers = Executors.newFixedThreadPool(Math.max(1, partitions - 1), r -> {
            Thread w = new Thread(r, "spark-rnn resident writer " + id);
            w.setDaemon(true);
            return w;
        });
    }

    /**
     * Starts the session's job over {@code data} (one task per partition), marked with {@code id}
     * ({@link #SESSION_PROPERTY}), and waits until every task has connected.
     */
    static ResidentSession start(JavaSparkContext sc, String id, JavaRDD<? extends TrainingPartition<?>> data,
            ReplicaSetup setup, RoundConfig cfg, String runId, DeltaInterceptor interceptor) throws Broken {
        ResidentSession s;
        try {
            s = new ResidentSession(sc, id, data.getNumPartitions());
        } catch (IOException e) {
            throw new Broken("cannot open the driver's round channel: " + e.getMessage(), e);
        }
        try {
            long t0 = System.nanoTime();
            s.launch(data, setup, cfg, runId, interceptor);
            s.awaitConnections();
            LOG.info("resident round tasks: {} connected to {} in {} ms (session {})", s.sockets.length,
                    s.server.getLocalSocketAddress(), (System.nanoTime() - t0) / 1_000_000, id);
            return s;
        } catch (Broken | RuntimeException e) {
            s.end(true);
            throw e;
        }
    }

    private void launch(JavaRDD<? extends TrainingPartition<?>> data, ReplicaSetup setup, RoundConfig cfg,
            String runId, DeltaInterceptor interceptor) {
        String host = sc.getConf().get("spark.driver.host", server.getInetAddress().getHostAddress());
        int port = server.getLocalPort();
        String t = token;
        // the session's job marked as this session's (the listener tells it from other jobs by that) and described;
        // it stays in the caller's job group, so that cancelling that group stops it as it would a round's job
        List<String> keys = List.of(SESSION_PROPERTY, "spark.job.description");
        List<String> before = keys.stream().map(sc::getLocalProperty).toList();
        sc.setLocalProperty(SESSION_PROPERTY, id);
        sc.setJobDescription("spark-rnn resident round tasks (" + id + ")");
        try {
            job = data.foreachPartitionAsync(it -> ResidentTask.run(it, host, port, t, setup, cfg, runId,
                    interceptor));
        } finally {
            for (int i = 0; i < keys.size(); i++) {
                sc.setLocalProperty(keys.get(i), before.get(i));
            }
        }
    }

    /** Accepts the tasks' connections until every partition has one; then keeps accepting, to see retried tasks. */
    private void awaitConnections() throws Broken {
        long deadline = System.nanoTime() + START_MILLIS * 1_000_000L;
        int connected = 0;
        try {
            server.setSoTimeout(100);
            while (connected < sockets.length) {
                if (job.isDone()) {
                    throw new Broken("the resident tasks' job ended before every task connected ("
                            + connected + " of " + sockets.length + ")", failure());
                }
                if (System.nanoTime() > deadline) {
                    throw new Broken(connected + " of " + sockets.length + " resident tasks connected within "
                            + START_MILLIS / 1000 + " s", null);
                }
                Socket socket;
                try {
                    socket = server.accept();
                } catch (SocketTimeoutException e) {
                    continue;
                }
                int p = handshake(socket);
                if (p < 0) {
                    continue;
                }
                if (sockets[p] != null) {
                    close(socket);
                    throw new Broken("a second attempt of partition " + p + "'s task connected", null);
                }
                register(p, socket);
                connected++;
            }
            server.setSoTimeout(0);
        } catch (IOException e) {
            throw new Broken("the driver's round channel failed: " + e.getMessage(), e);
        }
        Thread acceptor = new Thread(this::acceptLate, "spark-rnn resident accept " + id);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A task's partition, or -1 (and the socket closed) when it does not carry the token. */
    private int handshake(Socket socket) {
        try {
            socket.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String t = in.readUTF();
            int p = in.readInt();
            if (!token.equals(t) || p < 0 || p >= sockets.length) {
                LOG.warn("refused a connection to the round channel from {}: not a task of this session",
                        socket.getRemoteSocketAddress());
                close(socket);
                return -1;
            }
            socket.setSoTimeout(0);
            socket.setTcpNoDelay(true);
            return p;
        } catch (IOException e) {
            LOG.warn("refused a connection to the round channel from {}: {}", socket.getRemoteSocketAddress(),
                    e.toString());
            close(socket);
            return -1;
        }
    }

    private void register(int p, Socket socket) throws IOException {
        sockets[p] = socket;
        outs[p] = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        Thread reader = new Thread(() -> read(p, in), "spark-rnn resident reader " + p);
        reader.setDaemon(true);
        reader.start();
    }

    /** A connection's reader: results into the inbox until the connection ends, then its end. */
    private void read(int p, DataInputStream in) {
        byte[][] buffer = new byte[1][];
        try {
            while (true) {
                inbox.put(Frame.decode(in, in.readInt(), buffer));
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                inbox.add(new Lost(p, "its connection ended (" + e + ")", e));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After the start: a task that connects now is a retried attempt, so its partition's first task is gone. */
    private void acceptLate() {
        while (!closing) {
            try {
                Socket socket = server.accept();
                int p = handshake(socket);
                close(socket);
                if (p >= 0) {
                    inbox.add(new Lost(p, "a second attempt of its task connected (Spark retried it)", null));
                }
            } catch (IOException e) {
                return; // the server socket was closed
            }
        }
    }

    /**
     * Runs one round: sends {@code snapshot} (a {@link Frame} of a {@link Snapshot}) to every task, each connection
     * on its own thread, and hands each result to {@code onResult} as it arrives (on this thread); returns when every
     * partition's has.
     */
    void round(Frame snapshot, Consumer<WorkerResult> onResult) throws Broken {
        if (stopped()) {
            throw new Broken("another job of the application started: the resident tasks made way for it", null);
        }
        if (dead != null) {
            throw new Broken(dead, null);
        }
        if (job.isDone()) {
            throw new Broken("the resident tasks' job has ended", failure());
        }
        List<Future<?>> sends = new ArrayList<>();
        for (int p = 1; p < outs.length; p++) {
            int q = p;
            sends.add(writers.submit(() -> {
                send(q, snapshot);
                return null;
            }));
        }
        send(0, snapshot);
        for (Future<?> f : sends) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Broken b ? b : new Broken(e.getCause().toString(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Broken("interrupted while sending the round", e);
            }
        }
        boolean[] got = new boolean[outs.length];
        int received = 0;
        long jobEnded = -1;
        try {
            while (received < got.length) {
                Object m = inbox.poll(200, TimeUnit.MILLISECONDS);
                if (m instanceof Lost l && got[l.partition()]) {
                    // it ended after sending this round's result: the round is whole, the session is not
                    dead = "lost partition " + l.partition() + "'s resident task after its last result: " + l.why();
                } else if (m instanceof Lost l) {
                    throw new Broken("lost partition " + l.partition() + "'s resident task: " + l.why(), l.cause());
                } else if (m instanceof WorkerResult r) {
                    got[r.partition()] = true;
                    received++;
                    onResult.accept(r);
                } else if (job.isDone()) {
                    if (jobEnded < 0) {
                        jobEnded = System.nanoTime();
                    } else if (System.nanoTime() - jobEnded > GRACE_MILLIS * 1_000_000L) {
                        throw new Broken("the resident tasks' job ended with " + (got.length - received)
                                + " result(s) missing", failure());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Broken("interrupted while waiting for the round's results", e);
        }
    }

    private void send(int p, Frame snapshot) throws Broken {
        try {
            synchronized (outs[p]) {
                snapshot.send(outs[p]);
            }
        } catch (IOException e) {
            throw new Broken("could not send the round to partition " + p + "'s task: " + e.getMessage(), e);
        }
    }

    /**
     * Tells every task to end after the round it may be running (another job needs the cores); the session takes no
     * more rounds. Safe to call from another thread than the one running rounds.
     */
    void stop() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        for (DataOutputStream out : outs) {
            if (out == null) {
                continue;
            }
            try {
                synchronized (out) {
                    out.writeInt(STOP);
                    out.flush();
                }
            } catch (IOException e) {
                // the task is gone already
            }
        }
    }

    synchronized boolean stopped() {
        return stopped;
    }

    String id() {
        return id;
    }

    int port() {
        return server.getLocalPort();
    }

    /**
     * Ends the session: tells the tasks to stop, waits for the job to end (cancelling it when it does not end within
     * a minute), closes the connections and the server socket.
     */
    @Override
    public void close() {
        end(false);
    }

    /**
     * Ends a broken session at once: its job cancelled (so that Spark does not retry its failed task, which could
     * only be refused), its connections and server socket closed. Returns the job's failure when it was cancelled
     * from outside (the Spark UI, {@code cancelAllJobs}, the job group it runs in), which is to stop the training as it
     * stops a job per round, else null.
     */
    Throwable abort() {
        long deadline = System.nanoTime() + 1_000_000_000L; // a killed task's job fails at once; a lost one's does not
        while (job != null && !job.isDone() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Throwable cancelled = job == null ? null : cancellation(failure());
        end(true);
        return cancelled;
    }

    /** {@code t} when it, or one of its causes, says its job or stage was cancelled or its task killed; else null. */
    static Throwable cancellation(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (c instanceof java.util.concurrent.CancellationException || m.contains("cancelled")
                    || c instanceof org.apache.spark.TaskKilledException) {
                return t;
            }
        }
        return null;
    }

    private void end(boolean broken) {
        stop();
        if (job != null && !broken) {
            try {
                job.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // a task failed after the last round: nothing of it is used
            } catch (TimeoutException e) {
                LOG.warn("the resident round tasks did not end within 60 s of being told to stop: cancelling them");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closing = true;
        writers.shutdownNow();
        for (Socket s : sockets) {
            if (s != null) {
                close(s);
            }
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("closing the round channel: {}", e.toString());
        }
        if (job != null && !job.isDone()) {
            job.cancel(true);
            try {
                job.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                // cancelled, or failed: as expected
            } catch (TimeoutException e) {
                LOG.warn("the resident round tasks' job did not end within 60 s of being cancelled");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The job's failure, or null while it runs or when it succeeded. */
    private Throwable failure() {
        if (!job.isDone()) {
            return null;
        }
        try {
            job.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to keep
        }
    }
}
