package io.sparkrnn.driver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.corpus.pairs.PairBatching;
import io.sparkrnn.driver.corpus.pairs.PairPartition;
import io.sparkrnn.driver.round.InnerStatePolicy;
import io.sparkrnn.driver.round.OuterOptimizer;
import io.sparkrnn.driver.round.ReplicaSetup;
import io.sparkrnn.driver.round.RoundConfig;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.driver.round.Seq2SeqFixtures;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.io.SafeTensors;
import io.sparkrnn.engine.io.TensorInfo;
import io.sparkrnn.engine.model.ModelJson;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import io.sparkrnn.engine.train.TbpttConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** Checkpoints of an encoder-decoder run on the CMUdict sample: exact resume, seq2seq model.json, refusals. */
class Seq2SeqCheckpointTest {
    static JavaSparkContext sc;
    static Seq2SeqFixtures.Cmudict data;
    static Seq2SeqSpec spec;
    static ReplicaSetup setup;
    static JavaRDD<PairPartition> parts;
    static final Map<String, String> CONFIG = Map.of("task", "seq2seq", "model.hidden", "12", "rounds", "4");
    static final RoundConfig CFG = RoundConfig.defaults(3).withInnerState(InnerStatePolicy.AVERAGE)
            .withOuter(OuterOptimizer.Config.nesterov(0.7, 0.5)).withClipNorm(2.0);

    @TempDir
    static java.nio.file.Path tmp;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("seq2seq-checkpoint-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        sc.setLogLevel("WARN");
        data = Seq2SeqFixtures.cmudict(sc);
        spec = Seq2SeqFixtures.spec(data, 8, 12, true);
        setup = new ReplicaSetup(spec, OptimizerConfig.adam(), LrSchedule.constant(0.01),
                new TbpttConfig(1, 1, ClipConfig.byNorm(1.0), 3));
        parts = PairBatching.partitions(data.train(), new Batching.Options(8, 16, true, 2, 11), 0);
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    static float[] init() {
        return new Seq2SeqModel(spec).initParams(7, DataType.FLOAT).flat().toFloatVector();
    }

    static RunInfo info(long round) {
        return new RunInfo(Map.of("seed", 7L), Map.of("round", round), CONFIG, List.of("{\"round\":" + round + "}"),
                null);
    }

    /** Train 4 rounds; separately 2, checkpoint, a new trainer from the checkpoint, 2 more: bit for bit equal. */
    @Test
    void resumedRunEqualsUninterruptedRunBitForBit() throws IOException {
        RoundTrainer.State straight;
        try (RoundTrainer t = new RoundTrainer(sc, setup, CFG, init())) {
            t.train(parts, 4, m -> { });
            straight = t.state();
        }
        String dir = tmp.resolve("run").toUri().toString();
        Map<String, byte[]> vocab = Map.of("vocab-source.txt", data.letters().toText().getBytes(StandardCharsets.UTF_8),
                "vocab-target.txt", data.phones().toText().getBytes(StandardCharsets.UTF_8));
        RoundTrainer.State half;
        try (RoundTrainer t = new RoundTrainer(sc, setup, CFG, init())) {
            t.train(parts, 2, m -> { });
            half = t.state();
            assertEquals("ckpt-000002", CheckpointStore.open(dir, new Configuration()).save(spec, half, info(2), vocab));
        }

        Checkpoint c = CheckpointStore.open(dir, new Configuration()).latest();
        assertEquals(ModelJson.KIND_SEQ2SEQ, c.spec().kind());
        assertEquals(spec, c.spec());
        assertEquals(2, c.round());
        assertTrue(c.state().states().isEmpty(), "an encoder-decoder run carries no recurrent state");
        assertArrayEquals(half.params(), c.params().flat().toFloatVector());
        assertArrayEquals(vocab.get("vocab-target.txt"), c.files().get("vocab-target.txt"));
        c.checkCompatible(spec, RunInfo.configHash(CONFIG));

        java.nio.file.Path ck = tmp.resolve("run").resolve("ckpt-000002");
        assertEquals(spec, ModelJson.read(ck.resolve(CheckpointStore.MODEL_JSON)).spec());
        ParamLayout layout = new Seq2SeqModel(spec).layout();
        List<String> names;
        try (InputStream in = Files.newInputStream(ck.resolve(CheckpointStore.WEIGHTS))) {
            names = SafeTensors.read(in, "weights").tensors().stream().map(TensorInfo::name).sorted().toList();
        }
        assertEquals(layout.entries().stream().map(ParamLayout.Entry::name).sorted().toList(), names);

        RoundTrainer.State resumed;
        try (RoundTrainer t = new RoundTrainer(sc, setup, CFG, init())) {
            t.restore(c.state());
            t.train(parts, 2, m -> { });
            resumed = t.state();
        }
        assertEquals(straight.round(), resumed.round());
        assertTrue(Arrays.equals(straight.params(), resumed.params()), "parameters differ");
        assertTrue(Arrays.equals(straight.outerMomentum(), resumed.outerMomentum()), "outer momentum differs");
        assertEquals(straight.innerSteps(), resumed.innerSteps());
        assertEquals(straight.innerState().keySet(), resumed.innerState().keySet());
        for (String k : straight.innerState().keySet()) {
            assertTrue(Arrays.equals(straight.innerState().get(k), resumed.innerState().get(k)), k + " differs");
        }
        assertFalse(Arrays.equals(half.params(), straight.params()), "rounds 3 and 4 changed nothing");
        System.out.println("seq2seq: resumed run after 4 rounds equals the uninterrupted one bit for bit ("
                + straight.params().length + " parameters, inner state " + straight.innerState().keySet() + ")");
        try (Stream<java.nio.file.Path> files = Files.walk(tmp.resolve("run"))) {
            for (java.nio.file.Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] head = Arrays.copyOf(Files.readAllBytes(f), 2);
                assertFalse((head[0] & 0xff) == 0xAC && (head[1] & 0xff) == 0xED, f + " is Java-serialized");
            }
        }
    }

    @Test
    void anotherModelIsRefusedNamingTheDifferences() throws IOException {
        String dir = tmp.resolve("refuse").toUri().toString();
        CheckpointStore store = CheckpointStore.open(dir, new Configuration());
        RoundTrainer.State s = new RoundTrainer.State(1, init(), null, 1.0, 0, 0, Map.of(), null, 0);
        store.save(spec, s, info(1), Map.of());
        Checkpoint c = store.latest();
        Seq2SeqSpec wider = Seq2SeqFixtures.spec(data, 8, 16, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.checkCompatible(wider, Map.of()));
        assertTrue(e.getMessage().contains("spec.encoderHidden: checkpoint 12, now 16"), e.getMessage());
        assertTrue(e.getMessage().contains("spec.decoderHidden: checkpoint 12, now 16"), e.getMessage());
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> c.checkCompatible(
                SequenceSpec.languageModel(10, 4, CellType.LSTM, 8, 1, 0.0), Map.of()));
        assertTrue(kind.getMessage().contains("model kind: checkpoint seq2seq, now sequence"), kind.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> store.save(spec,
                new RoundTrainer.State(2, new float[5], null, 1.0, 0, 0, Map.of(), null, 0), info(2), Map.of()));
        assertTrue(size.getMessage().contains("state has 5 parameters"), size.getMessage());
        assertEquals("ckpt-000001", store.latest().name(), "a refused save leaves the previous checkpoint");
    }
}
