package io.sparkrnn.driver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.lm.StreamPartitions;
import io.sparkrnn.driver.round.InnerStatePolicy;
import io.sparkrnn.driver.round.OuterOptimizer;
import io.sparkrnn.driver.round.ReplicaSetup;
import io.sparkrnn.driver.round.RoundConfig;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.train.TbpttConfig;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.util.Progressable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

class CheckpointStoreTest {
    static final int VOCAB = 12;
    static final int LANES = 4;
    static final int STEPS = 6;
    static final SequenceSpec SPEC = SequenceSpec.languageModel(VOCAB, 5, CellType.LSTM, 8, 1, 0.0);
    static final Map<String, String> CONFIG = Map.of("model.cell", "lstm", "model.hidden", "8", "inner.optimizer",
            "adam", "rounds", "4");

    static JavaSparkContext sc;
    static MiniDFSCluster hdfs;
    @TempDir
    static File tmp;

    @BeforeAll
    static void start() throws IOException {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("checkpoint-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(tmp, "minidfs").getAbsolutePath());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
    }

    @AfterAll
    static void stop() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
        if (sc != null) {
            sc.stop();
        }
    }

    /** A fresh checkpoint directory on the local FS ("file") or the in-process HDFS ("hdfs"). */
    static Path freshDir(String kind) {
        String name = "ckpt-test-" + UUID.randomUUID();
        return kind.equals("hdfs") ? new Path(hdfs.getURI().toString() + "/runs/" + name)
                : new Path(new File(tmp, name).toURI());
    }

    static FileSystem fsOf(Path p) throws IOException {
        return p.getFileSystem(kindConf(p));
    }

    private static Configuration kindConf(Path p) {
        return p.toUri().getScheme().equals("hdfs") ? hdfs.getConfiguration(0) : new Configuration();
    }

    // ------------------------------------------------------------------------------------------- resume

    static int[] stream(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = r.nextInt(10) < 7 ? i % VOCAB : r.nextInt(VOCAB);
        }
        return s;
    }

    static final ReplicaSetup SETUP = new ReplicaSetup(SPEC, OptimizerConfig.adam(), LrSchedule.constant(0.01),
            TbpttConfig.of(STEPS, 1.0, 3));
    static final RoundConfig CFG = RoundConfig.defaults(3).withInnerState(InnerStatePolicy.AVERAGE)
            .withOuter(OuterOptimizer.Config.nesterov(0.7, 0.5));

    static float[] init() {
        return new SequenceModel(SPEC).initParams(5, DataType.FLOAT).flat().toFloatVector();
    }

    static JavaRDD<SequencePartition> data() {
        return StreamPartitions.of(sc, stream(2 * (LANES * STEPS * 12 + 1), 2), 2, LANES, STEPS);
    }

    static RunInfo info(long round, Double validation) {
        List<String> metrics = new ArrayList<>();
        for (long r = 1; r <= round; r++) {
            metrics.add("{\"round\":" + r + ",\"loss\":" + (3.0 / r) + "}");
        }
        return new RunInfo(Map.of("seed", 5L, "tbptt", 3L), Map.of("epoch", 0L), CONFIG, metrics, validation);
    }

    /** Train 4 rounds; separately 2, checkpoint, new trainer from the checkpoint, 2 more: bit for bit equal. */
    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs"})
    void resumedRunEqualsUninterruptedRunBitForBit(String kind) throws IOException {
        JavaRDD<SequencePartition> rdd = data().cache();
        RoundTrainer.State straight;
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, CFG, init())) {
            t.train(rdd, 4, m -> { });
            straight = t.state();
        }

        Path dir = freshDir(kind);
        Map<String, byte[]> vocab = Map.of("vocab-chars.txt", "a\nb\nc\n".getBytes(StandardCharsets.UTF_8));
        RoundTrainer.State half;
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, CFG, init())) {
            t.train(rdd, 2, m -> { });
            half = t.state();
            CheckpointStore store = CheckpointStore.open(dir.toString(), kindConf(dir));
            assertEquals("ckpt-000002", store.save(SPEC, half, info(2, null), vocab));
        }

        CheckpointStore store = CheckpointStore.open(dir.toString(), kindConf(dir));
        assertEquals("ckpt-000002", store.latestPointer());
        Checkpoint c = store.latest();
        assertEquals(2, c.round());
        assertStateEquals(half, c.state());
        assertArrayEquals(half.params(), c.params().flat().toFloatVector());
        assertArrayEquals(vocab.get("vocab-chars.txt"), c.files().get("vocab-chars.txt"));
        assertEquals(info(2, null), c.info());
        assertEquals(RunInfo.configHash(CONFIG), c.configHash());
        c.checkCompatible(SPEC, RunInfo.configHash(CONFIG));

        RoundTrainer.State resumed;
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, CFG, init())) {
            t.restore(c.state());
            t.train(rdd, 2, m -> { });
            resumed = t.state();
        }
        assertStateEquals(straight, resumed);
        assertFalse(Arrays.equals(half.params(), straight.params()), "rounds 3 and 4 changed nothing");
        System.out.println(kind + ": resumed run after 4 rounds equals the uninterrupted one bit for bit ("
                + straight.params().length + " parameters, " + straight.outerMomentum().length + " momentum, "
                + straight.innerState().keySet() + " inner state, " + straight.states().size() + " partitions)");
        assertNoJavaSerialization(dir);
    }

    /**
     * {@code keep}: the same with each partition's own inner optimizer state, which the checkpoint stores as
     * {@code inner.partition.NNNNN.<name>} tensors; resumed without it, the run differs.
     */
    @Test
    void keptInnerStateResumesExactly() throws IOException {
        RoundConfig keep = CFG.withInnerState(InnerStatePolicy.KEEP);
        JavaRDD<SequencePartition> rdd = data().cache();
        RoundTrainer.State straight;
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, keep, init())) {
            t.train(rdd, 4, m -> { });
            straight = t.state();
        }
        Path dir = freshDir("file");
        CheckpointStore store = CheckpointStore.open(dir.toString(), kindConf(dir));
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, keep, init())) {
            t.train(rdd, 2, m -> { });
            store.save(SPEC, t.state(), info(2, null), Map.of());
        }
        Checkpoint c = store.latest();
        assertEquals(Set.of(0, 1), c.state().kept().keySet());
        assertEquals(6, c.state().kept().get(1).steps());
        assertEquals(List.of("exp_avg", "exp_avg_sq"), List.copyOf(c.state().kept().get(1).vectors().keySet()));
        String json = Files.readString(new File(new File(dir.toUri()), "ckpt-000002/state.json").toPath());
        assertTrue(json.contains("\"partition\" : 1,\n    \"steps\" : 6,"), json);

        RoundTrainer.State resumed;
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, keep, init())) {
            t.restore(c.state());
            t.train(rdd, 2, m -> { });
            resumed = t.state();
        }
        assertStateEquals(straight, resumed);

        RoundTrainer.State s = c.state();
        try (RoundTrainer t = new RoundTrainer(sc, SETUP, keep, init())) {
            t.restore(new RoundTrainer.State(s.round(), s.params(), s.outerMomentum(), s.lrScale(),
                    s.rejectionsInRow(), s.rejections(), s.states(), s.innerState(), s.innerSteps()));
            t.train(rdd, 2, m -> { });
            assertFalse(Arrays.equals(straight.params(), t.params()), "fresh inner state must give another run");
        }
    }

    static void assertStateEquals(RoundTrainer.State want, RoundTrainer.State got) {
        assertEquals(want.round(), got.round());
        assertTrue(Arrays.equals(want.params(), got.params()), "parameters differ");
        assertTrue(Arrays.equals(want.outerMomentum(), got.outerMomentum()), "outer momentum differs");
        assertEquals(Double.doubleToRawLongBits(want.lrScale()), Double.doubleToRawLongBits(got.lrScale()));
        assertEquals(want.rejectionsInRow(), got.rejectionsInRow());
        assertEquals(want.rejections(), got.rejections());
        assertEquals(want.innerSteps(), got.innerSteps());
        assertEquals(want.innerState() == null, got.innerState() == null);
        if (want.innerState() != null) {
            assertEquals(List.copyOf(want.innerState().keySet()), List.copyOf(got.innerState().keySet()));
            want.innerState().forEach((k, v) -> assertTrue(Arrays.equals(v, got.innerState().get(k)),
                    "inner state " + k + " differs"));
        }
        assertEquals(new TreeMap<>(want.states()).keySet(), new TreeMap<>(got.states()).keySet());
        want.states().forEach((k, v) -> assertTrue(Arrays.equals(v, got.states().get(k)),
                "recurrent state of partition " + k + " differs"));
        assertEquals(want.kept() == null, got.kept() == null);
        if (want.kept() != null) {
            assertEquals(new TreeMap<>(want.kept()).keySet(), new TreeMap<>(got.kept()).keySet());
            want.kept().forEach((p, k) -> {
                assertEquals(k.steps(), got.kept().get(p).steps(), "kept step count of partition " + p);
                assertEquals(List.copyOf(k.vectors().keySet()), List.copyOf(got.kept().get(p).vectors().keySet()));
                k.vectors().forEach((name, v) -> assertTrue(Arrays.equals(v, got.kept().get(p).vectors().get(name)),
                        "kept " + name + " of partition " + p + " differs"));
            });
        }
    }

    // ------------------------------------------------------------------------------------------- synthetic

    static RoundTrainer.State synthetic(long round) {
        SplittableRandom r = new SplittableRandom(round);
        int n = (int) new SequenceModel(SPEC).layout().size();
        float[] p = new float[n];
        double[] m = new double[n];
        float[] a = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) r.nextGaussian();
            m[i] = r.nextGaussian() * 1e-3;
            a[i] = (float) r.nextGaussian();
            b[i] = (float) r.nextDouble();
        }
        p[0] = -0.0f;
        p[1] = Float.MIN_VALUE;
        Map<String, float[]> inner = new LinkedHashMap<>();
        inner.put("exp_avg", a);
        inner.put("exp_avg_sq", b);
        Map<Integer, float[]> states = new TreeMap<>();
        for (int k : new int[] {0, 3, 11}) {
            float[] s = new float[2 * LANES * 8];
            for (int i = 0; i < s.length; i++) {
                s[i] = (float) r.nextGaussian();
            }
            states.put(k, s);
        }
        return new RoundTrainer.State(round, p, m, 0.25, 1, 3, states, inner, round * 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs"})
    void syntheticStateRoundTripsExactly(String kind) throws IOException {
        Path dir = freshDir(kind);
        CheckpointStore store = CheckpointStore.open(dir.toString(), kindConf(dir));
        RoundTrainer.State s = synthetic(7);
        store.save(SPEC, s, info(7, 1.5), Map.of());
        Checkpoint c = store.latest();
        assertStateEquals(s, c.state());
        assertEquals(1.5, c.info().validation());
        assertEquals("{\"round\":7,\"loss\":0.42857142857142855}", c.info().metrics().get(6));
        assertNoJavaSerialization(dir);
    }

    // ------------------------------------------------------------------------------------------- failures

    /** A file system whose output streams throw once {@code limit} bytes in total were written. */
    static final class FailingFileSystem extends FilterFileSystem {
        final AtomicLong written = new AtomicLong();
        final long limit;
        boolean deletesFail;

        FailingFileSystem(FileSystem fs, long limit) {
            super(fs);
            this.limit = limit;
            setConf(fs.getConf());
        }

        @Override
        public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                short replication, long blockSize, Progressable progress) throws IOException {
            FSDataOutputStream inner = super.create(f, permission, overwrite, bufferSize, replication, blockSize,
                    progress);
            OutputStream failing = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (written.addAndGet(len) > limit) {
                        throw new IOException("injected failure after " + limit + " bytes (writing " + f + ")");
                    }
                    inner.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    inner.close();
                }
            };
            return new FSDataOutputStream(failing, null);
        }

        @Override
        public boolean delete(Path f, boolean recursive) throws IOException {
            if (deletesFail) {
                throw new IOException("injected: the process died before it could clean up " + f);
            }
            return super.delete(f, recursive);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs"})
    void writeFailingMidwayLeavesLatestOnThePreviousCheckpointAndOpenCleansUp(String kind) throws IOException {
        Path dir = freshDir(kind);
        FileSystem fs = fsOf(dir);
        CheckpointStore.open(fs, dir).save(SPEC, synthetic(1), info(1, null), Map.of());

        FailingFileSystem failing = new FailingFileSystem(fs, 3000); // past model.json, inside the weights
        failing.deletesFail = true;
        CheckpointStore broken = CheckpointStore.open(fs, dir);
        CheckpointStore viaFailing = openWith(failing, dir);
        IOException e = assertThrows(IOException.class,
                () -> viaFailing.save(SPEC, synthetic(2), info(2, null), Map.of()));
        System.out.println("failed save: " + e.getMessage());
        assertTrue(e.getMessage().contains("ckpt-000002") && e.getMessage().contains("injected failure"),
                e.getMessage());

        assertEquals("ckpt-000001", broken.latestPointer());
        assertEquals(List.of(1L), broken.rounds());
        assertEquals(1, broken.latest().round());
        List<String> leftovers = names(fs, dir).stream().filter(n -> n.startsWith("_tmp-")).toList();
        assertEquals(1, leftovers.size(), "the interrupted save leaves its temporary folder: " + names(fs, dir));

        CheckpointStore reopened = CheckpointStore.open(fs, dir);
        assertTrue(names(fs, dir).stream().noneMatch(n -> n.startsWith("_")), "leftovers: " + names(fs, dir));
        assertEquals(1, reopened.latest().round());
        reopened.save(SPEC, synthetic(2), info(2, null), Map.of());
        assertEquals(2, reopened.latest().round());
    }

    /** Opens with a file system that may fail: the probe goes through the real one (the failure is later). */
    private static CheckpointStore openWith(FailingFileSystem failing, Path dir) throws IOException {
        long saved = failing.written.get();
        boolean deletes = failing.deletesFail;
        failing.deletesFail = false;
        CheckpointStore s = CheckpointStore.open(failing, dir);
        failing.written.set(saved);
        failing.deletesFail = deletes;
        return s;
    }

    @Test
    void latestFallsBackToTheHighestCompleteCheckpointWhenLatestIsMissing() throws IOException {
        Path dir = freshDir("file");
        FileSystem fs = fsOf(dir);
        CheckpointStore store = CheckpointStore.open(fs, dir);
        store.save(SPEC, synthetic(1), info(1, null), Map.of());
        store.save(SPEC, synthetic(2), info(2, null), Map.of());
        fs.delete(new Path(dir, CheckpointStore.LATEST), false);
        assertEquals(2, CheckpointStore.open(fs, dir).latest().round());
    }

    static final class Captured extends AbstractAppender {
        final List<String> messages = new ArrayList<>();

        Captured() {
            super("captured", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public synchronized void append(LogEvent event) {
            messages.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
    }

    static Captured capture() {
        Captured c = new Captured();
        c.start();
        ((org.apache.logging.log4j.core.Logger) LogManager.getLogger(CheckpointStore.class)).addAppender(c);
        return c;
    }

    static void release(Captured c) {
        ((org.apache.logging.log4j.core.Logger) LogManager.getLogger(CheckpointStore.class)).removeAppender(c);
    }

    /**
     * A byte flipped in the newest weights file: rewritten through the file system (so only the manifest can
     * tell), and on the local FS also flipped on disk behind Hadoop's back (its .crc catches it first).
     */
    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs", "file-raw"})
    void flippedByteInNewestWeightsFallsBackToThePreviousCheckpointWithAWarning(String kind) throws IOException {
        Path dir = freshDir(kind.startsWith("file") ? "file" : "hdfs");
        FileSystem fs = fsOf(dir);
        CheckpointStore store = CheckpointStore.open(fs, dir);
        store.save(SPEC, synthetic(1), info(1, null), Map.of());
        store.save(SPEC, synthetic(2), info(2, null), Map.of());
        Path weights = new Path(new Path(dir, "ckpt-000002"), CheckpointStore.WEIGHTS);
        byte[] b;
        try (InputStream in = fs.open(weights)) {
            b = in.readAllBytes();
        }
        b[b.length - 17] ^= 0x10;
        if (kind.equals("file-raw")) {
            Files.write(new File(weights.toUri()).toPath(), b);
        } else {
            try (FSDataOutputStream out = fs.create(weights, true)) {
                out.write(b);
            }
        }
        Fallback f = latestWithWarning(fs, dir);
        assertEquals(1, f.checkpoint().round());
        assertStateEquals(synthetic(1), f.checkpoint().state());
        assertTrue(f.warning().contains("ckpt-000002/" + CheckpointStore.WEIGHTS), f.warning());
        System.out.println(kind + ": " + f.warning());
    }

    /** The checkpoint {@code latest()} falls back to, and the warning that named the damaged one. */
    private record Fallback(Checkpoint checkpoint, String warning) {
    }

    private static Fallback latestWithWarning(FileSystem fs, Path dir) throws IOException {
        Captured log = capture();
        Checkpoint c;
        try {
            c = CheckpointStore.open(fs, dir).latest();
        } finally {
            release(log);
        }
        String warning = log.messages.stream().filter(m -> m.startsWith("WARN") && m.contains("damaged"))
                .findFirst().orElse(null);
        assertNotNull(warning, "no warning in " + log.messages);
        return new Fallback(c, warning);
    }

    /** Replaces {@code name} in checkpoint {@code ck} and re-signs its manifest line, as a writer of it would. */
    static void resign(FileSystem fs, Path ck, String name, byte[] bytes) throws IOException {
        rewrite(fs, new Path(ck, name), bytes);
        Path manifest = new Path(ck, CheckpointStore.MANIFEST);
        String m;
        try (InputStream in = fs.open(manifest)) {
            m = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String sha = HexFormat.of().formatHex(sha256(bytes));
        m = m.replaceAll("[0-9a-f]{64}  " + java.util.regex.Pattern.quote(name), sha + "  " + name);
        rewrite(fs, manifest, m.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void noLoadableCheckpointIsAClearError() throws IOException {
        Path dir = freshDir("file");
        FileSystem fs = fsOf(dir);
        CheckpointStore store = CheckpointStore.open(fs, dir);
        IllegalStateException none = assertThrows(IllegalStateException.class, store::latest);
        assertTrue(none.getMessage().contains("no checkpoint in " + store.dir()), none.getMessage());
        assertTrue(store.latestIfAny().isEmpty());
        store.save(SPEC, synthetic(1), info(1, null), Map.of());
        fs.delete(new Path(new Path(dir, "ckpt-000001"), CheckpointStore.OPTIMIZER), false);
        IllegalStateException e = assertThrows(IllegalStateException.class, store::latest);
        assertTrue(e.getMessage().contains("no loadable checkpoint in " + store.dir())
                && e.getMessage().contains("optimizer.safetensors"), e.getMessage());
    }

    @Test
    void unwritableDirectoryIsReportedAtOpen() throws IOException {
        File file = new File(tmp, "not-a-dir-" + UUID.randomUUID());
        Files.writeString(file.toPath(), "x");
        String dir = file.toURI() + "/checkpoints";
        IOException e = assertThrows(IOException.class, () -> CheckpointStore.open(dir, new Configuration()));
        assertTrue(e.getMessage().contains("checkpoint directory") && e.getMessage().contains(file.getName()),
                e.getMessage());
    }

    // ------------------------------------------------------------------------------------------- policy

    @Test
    void retentionKeepsTheLastTheMultiplesAndTheBest() throws IOException {
        Path dir = freshDir("file");
        CheckpointStore store = CheckpointStore.open(fsOf(dir), dir);
        CheckpointPolicy policy = new CheckpointPolicy(1, 0, 2, 5);
        for (long r = 1; r <= 12; r++) {
            assertTrue(policy.shouldSave(r, java.time.Instant.EPOCH));
            double validation = r == 3 ? 0.5 : 2.0 + r; // round 3 is the best
            store.save(SPEC, synthetic(r), info(r, validation), Map.of());
            store.prune(policy);
        }
        assertEquals(List.of(3L, 5L, 10L, 11L, 12L), store.rounds());
        assertEquals(3L, store.bestRound().orElseThrow());
        assertEquals(Set.of(5L, 10L, 11L, 12L), policy.keep(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L,
                12L), null));
        assertEquals("ckpt-000012", store.latestPointer());
    }

    @Test
    void policySavesEveryKRoundsOrEveryMMinutes() {
        CheckpointPolicy p = new CheckpointPolicy(3, 10, 1, 0);
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        assertFalse(p.shouldSave(1, t0));
        assertFalse(p.shouldSave(2, t0.plusSeconds(60)));
        assertTrue(p.shouldSave(3, t0.plusSeconds(120)));
        assertFalse(p.shouldSave(4, t0.plusSeconds(600)));
        assertTrue(p.shouldSave(5, t0.plusSeconds(720)), "10 minutes after the last save");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CheckpointPolicy(1, 0, 0, 0));
        assertTrue(e.getMessage().contains("keepLast must be >= 1, found 0"), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------- format

    @Test
    void weightsClaimingAHugeTensorFallBackToThePreviousCheckpointBeforeAnyAllocation() throws IOException {
        Path dir = freshDir("file");
        FileSystem fs = fsOf(dir);
        CheckpointStore store = CheckpointStore.open(fs, dir);
        store.save(SPEC, synthetic(1), info(1, null), Map.of());
        store.save(SPEC, synthetic(2), info(2, null), Map.of());
        Path ck = new Path(dir, "ckpt-000002");
        // A well-formed header whose one tensor claims 4 TiB, followed by 8 bytes of data; the manifest is
        // rewritten to match, as a buggy or hostile writer would leave it.
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1048576,1048576],\"data_offsets\":[0,4398046511104]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] file = java.nio.ByteBuffer.allocate(8 + h.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).putLong(0).array();
        resign(fs, ck, CheckpointStore.WEIGHTS, file);
        Fallback f = latestWithWarning(fs, dir);
        assertEquals(1, f.checkpoint().round());
        assertTrue(f.warning().contains("truncated data") && f.warning().contains(CheckpointStore.WEIGHTS),
                f.warning());
    }

    @Test
    void unknownFormatVersionIsRefusedWithAMessage() throws IOException {
        Path dir = freshDir("file");
        FileSystem fs = fsOf(dir);
        CheckpointStore store = CheckpointStore.open(fs, dir);
        store.save(SPEC, synthetic(1), info(1, null), Map.of());
        Path ck = new Path(dir, "ckpt-000001");
        Path state = new Path(ck, CheckpointStore.STATE_JSON);
        String json;
        try (InputStream in = fs.open(state)) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(json.contains("\"formatVersion\" : 1"), json);
        byte[] newer = json.replace("\"formatVersion\" : 1", "\"formatVersion\" : 2").getBytes(StandardCharsets.UTF_8);
        // a genuine newer writer: its manifest matches
        resign(fs, ck, CheckpointStore.STATE_JSON, newer);
        IllegalStateException e = assertThrows(IllegalStateException.class, store::latest);
        System.out.println("refused: " + e.getMessage());
        assertTrue(e.getMessage().contains("formatVersion 2 is not supported") && e.getMessage().contains(
                "state.json"), e.getMessage());
    }

    @Test
    void differingSpecAndConfigAreListedByKey() throws IOException {
        Path dir = freshDir("file");
        CheckpointStore store = CheckpointStore.open(fsOf(dir), dir);
        store.save(SPEC, synthetic(1), info(1, null), Map.of());
        Checkpoint c = store.latest();
        SequenceSpec gru = SequenceSpec.languageModel(VOCAB, 5, CellType.GRU, 8, 1, 0.0);
        Map<String, String> now = new TreeMap<>(CONFIG);
        now.put("inner.optimizer", "sgd");
        now.put("rounds", "100"); // not a key that must match
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.checkCompatible(gru,
                Map.of("inner.optimizer", "sgd", "model.hidden", "8", "data.vocab", "chars")));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("spec.cell: checkpoint LSTM, now GRU"), e.getMessage());
        assertTrue(e.getMessage().contains("inner.optimizer: checkpoint adam, now sgd"), e.getMessage());
        assertTrue(e.getMessage().contains("data.vocab: checkpoint (unset), now chars"), e.getMessage());
        assertFalse(e.getMessage().contains("model.hidden"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.checkCompatible(SPEC, RunInfo.configHash(now)));
        c.checkCompatible(SPEC, Map.of("model.hidden", "8"));
    }

    // ------------------------------------------------------------------------------------------- helpers

    static void rewrite(FileSystem fs, Path p, byte[] b) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            out.write(b);
        }
    }

    static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> names(FileSystem fs, Path dir) throws IOException {
        List<String> n = new ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            n.add(s.getPath().getName());
        }
        return n;
    }

    /** No file in any checkpoint starts with the Java serialization stream magic 0xACED. */
    static void assertNoJavaSerialization(Path dir) throws IOException {
        FileSystem fs = fsOf(dir);
        var it = fs.listFiles(dir, true);
        int files = 0;
        while (it.hasNext()) {
            Path p = it.next().getPath();
            try (InputStream in = fs.open(p)) {
                byte[] head = in.readNBytes(2);
                assertFalse(head.length == 2 && (head[0] & 0xff) == 0xAC && (head[1] & 0xff) == 0xED,
                        p + " is Java-serialized");
            }
            files++;
        }
        assertTrue(files >= 6, "only " + files + " files under " + dir);
    }

    /**
     * An HDFS output stream whose write failed throws the same exception again from close(); closing after the failure
     * must not try to suppress it by itself (an IllegalArgumentException that would hide the storage error).
     */
    @Test
    void closeAfterAFailureThatCloseRethrowsKeepsTheFailure() {
        IOException failure = new IOException("All datanodes are bad. Aborting...");
        CheckpointStore.closeAfter(() -> {
            throw failure;
        }, failure);
        assertEquals(0, failure.getSuppressed().length);
        IOException other = new IOException("close failed too");
        CheckpointStore.closeAfter(() -> {
            throw other;
        }, failure);
        assertArrayEquals(new Throwable[] {other}, failure.getSuppressed());
    }
}
