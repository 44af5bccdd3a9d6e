package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.driver.testutil.MiniHdfs;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command with its data and outputs on {@code hdfs://} (an in-process MiniDFSCluster): train writes the model,
 * checkpoints, metrics, evaluation, report and config there and nothing on the local disk; inspect, evaluate,
 * predict and export read the model from there; a damaged file there is found by the manifest. A scheme with no
 * file system here is a config error that creates nothing.
 */
class HdfsRunTest {
    @TempDir
    static File dfsBase;
    /** The local temporary folder a command could wrongly write to: it stays empty. */
    @TempDir
    static Path local;
    static MiniDFSCluster hdfs;
    static FileSystem fs;
    static String root;
    /** The first 40 kB of the Moby Dick sample (to a line end), on HDFS as /data/moby.txt and locally here. */
    static Path mobyHead;
    static int mobyChars;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = MiniHdfs.start(dfsBase);
        fs = hdfs.getFileSystem();
        root = MiniHdfs.uri(hdfs);
        byte[] moby = Files.readAllBytes(Path.of(TaskTesting.path("data/samples/moby-dick/moby-dick.txt")));
        int cut = 40_000;
        while (moby[cut - 1] != '\n') {
            cut++;
        }
        mobyHead = dfsBase.toPath().resolve("moby-head.txt");
        Files.write(mobyHead, java.util.Arrays.copyOf(moby, cut));
        mobyChars = (int) new String(Files.readAllBytes(mobyHead), StandardCharsets.UTF_8).codePoints().distinct()
                .count();
        put(mobyHead.toString(), "/data/moby.txt");
        for (String f : List.of("ca01", "cb01")) {
            put(TaskTesting.path("data/samples/brown/" + f), "/data/brown/" + f);
        }
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    private static void put(String localFile, String hdfsPath) throws IOException {
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(hdfsPath))) {
            Files.copy(Path.of(localFile), out);
        }
    }

    private static String[] lm(String data, String out) {
        return new String[] {"train", MainTest.conf(), "--set", "data.train=" + data, "--set", "spark.master=local[2]",
                "--set", "model.hidden=16", "--set", "train.batch=8", "--set", "train.k1=32", "--set", "train.k2=32",
                "--set", "train.local-steps=3", "--set", "train.rounds=2", "--set",
                "eval.every=100", "--set", "checkpoint.every-rounds=1", "--set", "output.dir=" + out};
    }

    private static byte[] read(String hdfsPath) throws IOException {
        try (var in = fs.open(new org.apache.hadoop.fs.Path(hdfsPath))) {
            return in.readAllBytes();
        }
    }

    private static String text(String hdfsPath) throws IOException {
        return new String(read(hdfsPath), StandardCharsets.UTF_8);
    }

    private static List<String> names(String hdfsPath) throws IOException {
        List<String> n = new ArrayList<>();
        for (FileStatus st : fs.listStatus(new org.apache.hadoop.fs.Path(hdfsPath))) {
            n.add(st.getPath().getName());
        }
        n.sort(null);
        return n;
    }

    /** The working directory's entries and everything under the test's local folder. */
    private static List<String> localState() throws IOException {
        List<String> s = new ArrayList<>();
        try (Stream<Path> cwd = Files.list(Path.of("").toAbsolutePath())) {
            cwd.map(p -> "cwd/" + p.getFileName()).sorted().forEach(s::add);
        }
        try (Stream<Path> tmp = Files.walk(local)) {
            tmp.map(p -> "tmp/" + local.relativize(p)).sorted().forEach(s::add);
        }
        return s;
    }

    @Test
    void everyCommandReadsAndWritesHdfs() throws Exception {
        Path localRun = dfsBase.toPath().resolve("local-run");
        List<String> before = localState();
        String run = root + "/runs/lm";
        Commands.Run r = TaskTesting.ok(lm(root + "/data/moby.txt", run));
        assertTrue(r.out().contains("done: model, checkpoints, metrics.jsonl and eval.json in " + run), r.out());
        assertEquals(List.of("checkpoints", "eval.json", "metrics.jsonl", "model", "report.html"), names(run));
        assertEquals(List.of("MANIFEST.sha256", "config.conf", "model.json", "training-state.json",
                "training-state.safetensors", "vocab-chars.txt", "weights.safetensors"), names(run + "/model"));
        List<String> checkpoints = names(run + "/checkpoints");
        assertTrue(checkpoints.containsAll(List.of("LATEST", "ckpt-000002")), checkpoints.toString());
        assertEquals(2, text(run + "/metrics.jsonl").lines().count());
        assertTrue(TaskTesting.json(text(run + "/eval.json")).get("valid_bits_per_char").asDouble() > 1);
        assertTrue(text(run + "/report.html").contains("<html"));
        assertTrue(text(run + "/model/config.conf").contains(run), "the saved config names the run's output.dir");
        assertEquals(before, localState(), "train wrote nothing to the local disk");

        // the same run with data and output on the local disk gives the same weights, byte for byte
        Commands.Run same = TaskTesting.ok(lm(mobyHead.toString(), localRun.toString()));
        assertArrayEquals(Files.readAllBytes(localRun.resolve("model/weights.safetensors")),
                read(run + "/model/weights.safetensors"), same.out());

        Commands.Run ins = TaskTesting.ok("inspect", run);
        assertTrue(ins.out().contains("model " + run + "/model")
                && ins.out().contains("vocab-chars.txt: " + mobyChars + " entries")
                && ins.out().contains("eval.json: {"), ins.out());
        double bpc = TaskTesting.printed(TaskTesting.ok("evaluate", run, "--data", root + "/data/moby.txt"))
                .get("bits_per_char").asDouble();
        double localBpc = TaskTesting.printed(TaskTesting.ok("evaluate", localRun.toString(), "--data",
                mobyHead.toString())).get("bits_per_char").asDouble();
        assertEquals(localBpc, bpc, 0.0, "same model, same text");
        assertTrue(TaskTesting.ok("predict", run + "/model", "--prompt", "Call me ", "--length", "20").out()
                .startsWith("Call me "));
        TaskTesting.ok("export", run, "--format", "onnx", "--out", root + "/export/lm.onnx");
        assertTrue(read("/export/lm.onnx").length > 10_000);
        TaskTesting.ok("export", run, "--format", "pytorch", "--out", root + "/export/lm-torch");
        assertTrue(names("/export/lm-torch").containsAll(List.of("model.py", "model.safetensors", "config.json",
                "vocab-chars.txt")), names("/export/lm-torch").toString());

        // a Spark-job task: a tagger trained on a glob of HDFS files, tagging an HDFS file into HDFS
        String tagger = root + "/runs/tagger";
        TaskTesting.ok("train", TaskTesting.path("conf/brown-tagger.conf"), "--set", "data.train=" + root
                + "/data/brown/c*", "--set", "spark.master=local[2]", "--set", "model.hidden=8", "--set",
                "model.embedding=8", "--set", "train.batch=8", "--set", "train.k1=32", "--set", "train.k2=32", "--set",
                "train.rounds=1", "--set", "train.local-steps=2", "--set",
                "output.dir=" + tagger);
        JsonNode ev = TaskTesting.printed(TaskTesting.ok("evaluate", tagger, "--data", root + "/data/brown/ca01",
                "--master", "local[2]"));
        assertTrue(ev.get("count").asLong() > 1000, ev.toString());
        TaskTesting.ok("predict", tagger, "--data", root + "/data/brown/ca01", "--output", root + "/tags",
                "--master", "local[2]");
        assertTrue(names("/tags").contains("_columns.tsv"), names("/tags").toString());
        long rows = 0;
        for (String n : names("/tags")) {
            if (n.startsWith("part-")) {
                rows += text("/tags/" + n).lines().count();
            }
        }
        assertTrue(rows > 50, "tagged sentences " + rows);
        TaskTesting.configError(MainTest.run("predict", tagger, "--data", root + "/data/brown/ca01", "--output",
                "s3a://bucket/tags"), "hadoop-aws");
        assertEquals(before, localState(), "no command wrote to the local disk");

        // a warm start from the model on HDFS, written to HDFS, naming its parent there
        String warm = root + "/runs/lm-warm";
        List<String> args = new ArrayList<>(List.of(lm(root + "/data/moby.txt", warm)));
        args.addAll(List.of("--set", "train.rounds=1", "--warm-start", run));
        Commands.Run w = TaskTesting.ok(args.toArray(new String[0]));
        assertTrue(w.out().contains("warm start from " + run + "/model: round 2"), w.out());
        JsonNode parent = TaskTesting.json(text(warm + "/model/parent.json"));
        assertEquals(run + "/model", parent.get("path").asText());
        assertEquals(3, TaskTesting.json(text(warm + "/eval.json")).get("rounds").asLong());
        assertEquals(before, localState(), "the warm start wrote nothing to the local disk");

        // a damaged file on HDFS is found by the model's manifest
        byte[] vocab = read(run + "/model/vocab-chars.txt");
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(run + "/model/vocab-chars.txt"), true)) {
            out.write(vocab, 0, vocab.length / 2);
        }
        Commands.Run damaged = MainTest.run("predict", run, "--prompt", "C");
        assertEquals(3, damaged.code(), damaged.err());
        assertTrue(damaged.err().contains(run + "/model/vocab-chars.txt does not match MANIFEST.sha256"),
                damaged.err());
    }

    @Test
    void aSchemeWithNoFileSystemIsAConfigErrorThatCreatesNothing() throws Exception {
        List<String> before = localState();
        String sample = TaskTesting.path("data/samples/moby-dick/moby-dick.txt");
        TaskTesting.configError(MainTest.run(lm(sample, "s3a://bucket/runs/x")),
                "output.dir s3a://bucket/runs/x: no Hadoop file system for scheme 's3a' on the class path; for S3 "
                        + "add hadoop-aws matching Spark's Hadoop 3.3.4");
        TaskTesting.configError(MainTest.run(lm(sample, "foo://host/x")), "no Hadoop file system for scheme 'foo'");
        TaskTesting.configError(MainTest.run(lm("s3a://bucket/moby.txt", local.resolve("run").toString())),
                "data.train s3a://bucket/moby.txt: no Hadoop file system for scheme 's3a'");
        TaskTesting.configError(MainTest.run("evaluate", "s3a://bucket/runs/x", "--data", sample),
                "<model-dir> s3a://bucket/runs/x: no Hadoop file system for scheme 's3a'");
        TaskTesting.configError(MainTest.run("inspect", "foo://host/runs/x"), "scheme 'foo'");
        assertEquals(before, localState(), "no folder named after a URI");
        assertFalse(Files.exists(Path.of("s3a:")) || Files.exists(Path.of("foo:")));
    }
}
