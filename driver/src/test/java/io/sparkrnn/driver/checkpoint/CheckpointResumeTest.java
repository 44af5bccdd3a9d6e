package io.sparkrnn.driver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/** A run resumed from a checkpoint: bit for bit the uninterrupted run, on the local file system and HDFS. */
class CheckpointResumeTest extends CheckpointTesting {
    static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("checkpoint-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    }

    @AfterAll
    static void stopSpark() {
        if (sc != null) {
            sc.stop();
        }
    }

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
}
