package io.sparkrnn.driver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.driver.testutil.MiniHdfs;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the checkpoint tests share: a small language model's spec and config, checkpoint directories on the local
 * file system or an in-process HDFS, synthetic trainer states and their exact comparison.
 */
abstract class CheckpointTesting {
    static final int VOCAB = 12;
    static final int LANES = 4;
    static final int STEPS = 6;
    static final SequenceSpec SPEC = SequenceSpec.languageModel(VOCAB, 5, CellType.LSTM, 8, 1, 0.0);
    static final Map<String, String> CONFIG = Map.of("model.cell", "lstm", "model.hidden", "8", "inner.optimizer",
            "adam", "rounds", "4");

    private static MiniDFSCluster hdfs;
    @TempDir
    static File tmp;

    /** The in-process HDFS, started by the first test that asks for an "hdfs" directory. */
    static MiniDFSCluster hdfs() throws IOException {
        if (hdfs == null) {
            hdfs = MiniHdfs.start(tmp);
        }
        return hdfs;
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
            hdfs = null;
        }
    }

    /** A fresh checkpoint directory on the local FS ("file") or the in-process HDFS ("hdfs"). */
    static Path freshDir(String kind) throws IOException {
        String name = "ckpt-test-" + UUID.randomUUID();
        return kind.equals("hdfs") ? new Path(hdfs().getURI().toString() + "/runs/" + name)
                : new Path(new File(tmp, name).toURI());
    }

    static FileSystem fsOf(Path p) throws IOException {
        return p.getFileSystem(kindConf(p));
    }

    static Configuration kindConf(Path p) throws IOException {
        return p.toUri().getScheme().equals("hdfs") ? hdfs().getConfiguration(0) : new Configuration();
    }

    static RunInfo info(long round, Double validation) {
        List<String> metrics = new ArrayList<>();
        for (long r = 1; r <= round; r++) {
            metrics.add("{\"round\":" + r + ",\"loss\":" + (3.0 / r) + "}");
        }
        return new RunInfo(Map.of("seed", 5L, "tbptt", 3L), Map.of("epoch", 0L), CONFIG, metrics, validation);
    }

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
}
