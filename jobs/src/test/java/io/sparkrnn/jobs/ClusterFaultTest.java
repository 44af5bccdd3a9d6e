package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkrnn.driver.checkpoint.CheckpointStore;
import io.sparkrnn.jobs.LocalClusterTesting.Executor;
import io.sparkrnn.jobs.LocalClusterTesting.Job;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults on a real cluster (scripts/local-cluster.sh: a Spark master, two one-core workers, an HDFS NameNode and
 * DataNode, each its own JVM): {@code train} submitted with spark-submit in client mode, reading its corpus from
 * {@code hdfs://}, writing {@code output.dir} to {@code faults.output} ({@code hdfs}, or {@code local} for a
 * folder under target/). Each fault is compared with one uninterrupted run of the same command, byte for byte on
 * {@code model/weights.safetensors}. The moments to strike are read from the driver's output, the executors' logs
 * and the checkpoint folder, not from fixed sleeps. Runs in the verify phase with {@code -Pcluster-faults}
 * (jobs/pom.xml); the table of what each fault cost goes to target/cluster-faults.md and docs/reliability.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultTest {
    private static final int ROUNDS = 6;
    private static final Duration RUN = Duration.ofMinutes(4);
    private static final Pattern ROUND_LINE = Pattern.compile("^round (\\d+)/" + ROUNDS + " ");
    private static final String WEIGHTS = "model/weights.safetensors";

    private final Path repo = Path.of(MainTest.conf()).getParent().getParent();
    private final String jar = System.getProperty("spark-rnn.jar", "");
    private final boolean hdfsOutput = !"local".equals(System.getProperty("faults.output", "hdfs"));
    private final Path target = repo.resolve("jobs/target");
    private final List<String> figures = new ArrayList<>();
    private final Map<String, Reference> references = new HashMap<>();
    private LocalClusterTesting cluster;
    private FileSystem dataFs;
    private FileSystem outFs;
    private String outBase;
    private String corpus;
    private double suiteStart;

    /** An uninterrupted run: its final weights and its seconds from submit to exit. */
    private record Reference(byte[] weights, double seconds) {
    }

    @BeforeAll
    void startCluster() throws Exception {
        suiteStart = System.nanoTime() / 1e9;
        assertTrue(Files.isRegularFile(Path.of(jar)), "the runnable jar '" + jar + "' (system property spark-rnn.jar, "
                + "set by jobs/pom.xml; built by the package phase)");
        cluster = new LocalClusterTesting(repo, target.resolve("cluster-faults"));
        cluster.start();
        Configuration conf = new Configuration();
        dataFs = FileSystem.get(URI.create(cluster.hdfs()), conf);
        // The first 120 kB of the Moby Dick sample, cut at a line end: about 1 s a round for the model below.
        byte[] text = Files.readAllBytes(repo.resolve("data/samples/moby-dick/moby-dick.txt"));
        int cut = 120_000;
        while (text[cut - 1] != '\n') {
            cut--;
        }
        corpus = cluster.hdfs() + "/data/moby-dick-120k.txt";
        try (OutputStream out = dataFs.create(new org.apache.hadoop.fs.Path(corpus), true)) {
            out.write(text, 0, cut);
        }
        if (hdfsOutput) {
            outFs = dataFs;
            outBase = cluster.hdfs() + "/runs";
        } else {
            Path local = target.resolve("cluster-faults-runs");
            LocalClusterTesting.deleteTree(local);
            Files.createDirectories(local);
            outFs = FileSystem.getLocal(conf);
            outBase = local.toString();
        }
    }

    @AfterAll
    void stopCluster() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (!hdfsOutput) {
                LocalClusterTesting.deleteTree(target.resolve("cluster-faults-runs"));
            }
            writeFigures();
        }
    }

    @AfterEach
    void executorsGone() throws Exception {
        assertEquals(0, cluster.awaitNoExecutors(Duration.ofSeconds(60)),
                "executors still running 60 s after their job ended (killed)");
    }

    /** The command of every run: the char LM, small and short, a checkpoint after every round. */
    private List<String> command(String output, String innerState) {
        List<String> c = new ArrayList<>(List.of("--class", "io.sparkrnn.jobs.Main",
                "--driver-java-options", "-Dlog4j2.configurationFile=" + repo.resolve("conf/log4j2.properties"),
                "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.cores=1",
                // The jar is on every worker's disk (one machine): executors copy it from there, not from the driver.
                "local:" + jar, "train", repo.resolve("conf/char-lm.conf").toString()));
        for (String kv : List.of("data.train=" + corpus, "spark.master=" + cluster.master(), "model.embedding=16",
                "model.hidden=64", "train.batch=16", "train.k1=32", "train.k2=32", "train.local-steps=30",
                "train.rounds=" + ROUNDS, "train.inner-state=" + innerState, "eval.every=" + ROUNDS,
                "checkpoint.every-rounds=1", "checkpoint.keep-last=3", "output.dir=" + output)) {
            c.add("--set");
            c.add(kv);
        }
        return c;
    }

    private String output(String name) {
        return outBase + "/" + name;
    }

    private Job submit(String name, String output, String innerState) throws IOException {
        return cluster.submit(name, command(output, innerState));
    }

    private Reference reference(String innerState) throws Exception {
        Reference r = references.get(innerState);
        if (r == null) {
            String out = output("reference-" + innerState);
            Job job = submit("reference-" + innerState, out, innerState);
            assertEquals(0, job.exit(RUN), "uninterrupted run:\n" + job.output());
            r = new Reference(read(out + "/" + WEIGHTS), job.seconds());
            references.put(innerState, r);
            figures.add(row("none (uninterrupted run, inner-state " + innerState + ")", "the reference: "
                    + ROUNDS + " rounds", 0, 0));
            cluster.awaitNoExecutors(Duration.ofSeconds(60));
        }
        return r;
    }

    @Test
    @Order(1)
    @DisplayName("kill -9 of one executor in the middle of a round: the job finishes, same weights")
    void executorKilledMidRound() throws Exception {
        Reference ref = reference("reset");
        String out = output("executor-kill");
        Job job = submit("executor-kill", out, "reset");
        job.await("^checkpoint ckpt-000002$", RUN);
        Executor victim = cluster.awaitRunningTask(job, Duration.ofSeconds(60));
        victim.kill();
        assertEquals(0, job.exit(RUN), job.output());
        // The driver saw the task fail with its executor, and ran it again.
        assertTrue(job.printed("Lost (task|executor)"), "the driver reports the lost executor:\n" + job.output());
        // The round's tasks were resident (train.round-tasks = auto, 2 partitions): the lost one broke the session,
        // and the round ran again as its own job.
        assertTrue(job.printed("resident task: .*running the round as its own job"), "the driver reran the round of "
                + "the lost resident task as a job:\n" + job.output());
        assertArrayEquals(ref.weights(), read(out + "/" + WEIGHTS), "final weights after an executor was killed");
        figures.add(row("kill -9 of one executor mid-round", "resident task lost; the round rerun as a job (task "
                + "retried on a new executor); job finished",
                0, job.seconds() - ref.seconds()));
        delete(out);
    }

    @ParameterizedTest(name = "train.inner-state = {0}")
    @ValueSource(strings = {"reset", "keep"})
    @Order(2)
    @DisplayName("kill -9 of the driver mid-training, then the same command: resumes from the newest checkpoint")
    void driverKilledMidTraining(String innerState) throws Exception {
        Reference ref = reference(innerState);
        String out = output("driver-kill-" + innerState);
        Job first = submit("driver-kill-" + innerState, out, innerState);
        first.await("^checkpoint ckpt-000003$", RUN);
        cluster.awaitRunningTask(first, Duration.ofSeconds(60));
        first.kill();
        int started = lastRound(first) + 1;
        cluster.awaitNoExecutors(Duration.ofSeconds(60));
        assertCheckpointsLoad(out);

        Job again = submit("driver-kill-" + innerState + "-again", out, innerState);
        assertEquals(0, again.exit(RUN), again.output());
        String resumed = "resuming from ckpt-000003 (round 3 of " + ROUNDS + ")";
        assertTrue(again.printed(Pattern.quote(resumed)), resumed + ":\n" + again.output());
        assertArrayEquals(ref.weights(), read(out + "/" + WEIGHTS),
                "final weights after the driver was killed and the run resumed (inner-state " + innerState + ")");
        figures.add(row("kill -9 of the driver mid-round " + started + " (inner-state " + innerState + ")",
                "re-run resumed from ckpt-000003", started - 3, first.seconds() + again.seconds() - ref.seconds()));
        delete(out);
    }

    @Test
    @Order(3)
    @DisplayName("kill -9 of the driver while a checkpoint is written: no partial checkpoint, resumes from the one before")
    void driverKilledDuringCheckpointWrite() throws Exception {
        Reference ref = reference("reset");
        String out = output("checkpoint-kill");
        org.apache.hadoop.fs.Path ckpts = new org.apache.hadoop.fs.Path(out + "/checkpoints");
        Job first = submit("checkpoint-kill", out, "reset");
        first.await("^checkpoint ckpt-000002$", RUN);
        // From the end of checkpoint 2, list the folder until a checkpoint is being written, and strike then.
        String partial = null;
        while (partial == null && first.driver.isAlive()) {
            for (FileStatus st : listOrEmpty(ckpts)) {
                if (st.getPath().getName().startsWith("_tmp-ckpt-")) {
                    first.kill();
                    partial = st.getPath().getName();
                    break;
                }
            }
        }
        assertTrue(partial != null, "no checkpoint write seen before the run ended:\n" + first.output());
        cluster.awaitNoExecutors(Duration.ofSeconds(60));
        int round = Integer.parseInt(partial.replaceAll("_tmp-ckpt-0*(\\d+)-.*", "$1"));
        // The kill came inside the write when the temporary folder outlived the driver (looked at before opening the
        // store, which deletes such leftovers); otherwise the checkpoint was complete and published.
        boolean inside = outFs.exists(new org.apache.hadoop.fs.Path(ckpts, partial));
        List<String> listing = listOrEmpty(ckpts).stream().map(st -> st.getPath().getName()).sorted().toList();
        long resumeFrom = inside ? round - 1 : round;
        List<Long> visible = assertCheckpointsLoad(out);
        assertEquals(resumeFrom, visible.get(visible.size() - 1), "the newest visible checkpoint, after a kill when "
                + partial + " was seen; the folder holds " + listing + ":\n" + first.output());
        assertFalse(inside && visible.contains((long) round), "a partial ckpt of round " + round + " is visible");

        Job again = submit("checkpoint-kill-again", out, "reset");
        assertEquals(0, again.exit(RUN), again.output());
        String resumed = String.format(Locale.ROOT, "resuming from ckpt-%06d (round %d of %d)", resumeFrom,
                resumeFrom, ROUNDS);
        assertTrue(again.printed(Pattern.quote(resumed)), resumed + ":\n" + again.output());
        assertArrayEquals(ref.weights(), read(out + "/" + WEIGHTS), "final weights after a kill during a checkpoint");
        figures.add(row("kill -9 of the driver while ckpt-" + String.format(Locale.ROOT, "%06d", round)
                        + " was written", (inside ? "partial _tmp-ckpt-" + String.format(Locale.ROOT, "%06d", round)
                        + "-* left behind, never visible as a checkpoint; "
                        : "the kill came after the rename; ") + "re-run resumed from ckpt-"
                        + String.format(Locale.ROOT, "%06d", resumeFrom),
                round - resumeFrom, first.seconds() + again.seconds() - ref.seconds()));
        assertTrue(inside, "the kill came after checkpoint " + round + " was published, so this run did not test a kill"
                + " inside the write (the rest held):\n" + first.output());
        delete(out);
    }

    @Test
    @Order(4)
    @DisplayName("the DataNode killed while a checkpoint is written: one clear line and exit code, the previous checkpoint intact, then resumes")
    void dataNodeKilledDuringCheckpointWrite() throws Exception {
        assumeTrue(hdfsOutput, "output.dir is a local folder (faults.output=local): the DataNode holds no checkpoint");
        Reference ref = reference("reset");
        String out = output("datanode-stop");
        org.apache.hadoop.fs.Path ckpts = new org.apache.hadoop.fs.Path(out + "/checkpoints");
        Job first = submit("datanode-stop", out, "reset");
        first.await("^checkpoint ckpt-000002$", RUN);
        // From the end of checkpoint 2, list the folder until checkpoint 3 is being written, and kill -9 the only
        // DataNode then: the write (or its verifying re-read) meets no DataNode.
        long dataNode = Long.parseLong(Files.readString(cluster.dir().resolve("pids/datanode.pid")).trim());
        String partial = null;
        double stopAt = Double.NaN;
        boolean restarted = false;
        try {
            while (partial == null && first.driver.isAlive()) {
                for (FileStatus st : listOrEmpty(ckpts)) {
                    if (st.getPath().getName().startsWith("_tmp-ckpt-")) {
                        ProcessHandle.of(dataNode).ifPresent(h -> {
                            h.destroyForcibly();
                            h.onExit().join();
                        });
                        stopAt = first.elapsed();
                        partial = st.getPath().getName();
                        break;
                    }
                }
            }
            assertTrue(partial != null, "no checkpoint write seen before the run ended:\n" + first.output());
            int code = first.exit(RUN);
            cluster.awaitNoExecutors(Duration.ofSeconds(60));
            String firstOut = first.output();
            List<String> errors = first.lines().stream().filter(l -> l.startsWith("spark-rnn: ")).toList();
            assertNotEquals(0, code, "exit code with the DataNode killed:\n" + firstOut);
            assertEquals(1, errors.size(), "one error line:\n" + firstOut);
            assertTrue(errors.get(0).matches("(?i).*storage error.*(datanode|replication|block).*"), "the line names "
                    + "the storage error: " + errors.get(0));
            assertFalse(errors.get(0).contains("\tat "), "the line carries no stack trace: " + errors.get(0));
            // Our report has no stack trace (the HDFS client logs its own at WARN before it, which is its business).
            List<String> after = first.lines().subList(first.lines().indexOf(errors.get(0)), first.lines().size());
            assertTrue(after.stream().noneMatch(l -> l.startsWith("\tat ")), "no stack trace after the error line:\n"
                    + firstOut);
            // The DataNode comes back (the script sees its recorded process gone, starts a new one and waits for it).
            cluster.script("start", "datanode");
            restarted = true;
            List<Long> visible = assertCheckpointsLoad(out);
            assertEquals(2L, visible.get(visible.size() - 1), "checkpoint 2 is the newest visible and loads, after the "
                    + "DataNode died while " + partial + " was written:\n" + firstOut);

            Job again = submit("datanode-stop-again", out, "reset");
            assertEquals(0, again.exit(RUN), again.output());
            assertTrue(again.printed(Pattern.quote("resuming from ckpt-000002 (round 2 of " + ROUNDS + ")")),
                    again.output());
            assertArrayEquals(ref.weights(), read(out + "/" + WEIGHTS), "final weights after the DataNode came back");
            figures.add(row("DataNode killed (kill -9) while ckpt-000003 was written", "exit " + code + ": `"
                            + errors.get(0) + "`; ckpt-000002 intact; re-run with the DataNode back resumed from it",
                    lastRound(first) - 2, first.seconds() + again.seconds() - ref.seconds()));
            System.out.printf(Locale.ROOT, "datanode killed %.1f s into the run, while %s was written%n", stopAt,
                    partial);
        } finally {
            if (!restarted) {
                cluster.script("start", "datanode");
            }
        }
        delete(out);
    }

    @Test
    @Order(5)
    @DisplayName("a byte flipped in the newest checkpoint: the re-run logs the damage and resumes from the one before")
    void flippedByteInNewestCheckpoint() throws Exception {
        Reference ref = reference("reset");
        String out = output("byte-flip");
        FileUtil.copy(outFs, new org.apache.hadoop.fs.Path(output("reference-reset")), outFs,
                new org.apache.hadoop.fs.Path(out), false, outFs.getConf());
        org.apache.hadoop.fs.Path w = new org.apache.hadoop.fs.Path(out + "/checkpoints/ckpt-00000" + ROUNDS
                + "/weights.safetensors");
        byte[] b = read(w.toString());
        b[b.length / 2] ^= 0x10;
        try (OutputStream o = outFs.create(w, true)) {
            o.write(b);
        }
        Job again = submit("byte-flip", out, "reset");
        assertEquals(0, again.exit(RUN), again.output());
        assertTrue(again.printed("checkpoint ckpt-00000" + ROUNDS + " is damaged, trying the previous one: .*"
                + "weights.safetensors: sha256 .* does not match"), again.output());
        assertTrue(again.printed(Pattern.quote("resuming from ckpt-00000" + (ROUNDS - 1))), again.output());
        assertArrayEquals(ref.weights(), read(out + "/" + WEIGHTS), "final weights after resuming past the damage");
        figures.add(row("one byte flipped in the newest checkpoint's weights", "damage logged (sha256 mismatch);"
                + " re-run resumed from the one before", 1, again.seconds()));
        delete(out);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** The highest round whose progress line a run printed. */
    private static int lastRound(Job job) {
        int last = 0;
        for (String l : job.lines()) {
            Matcher m = ROUND_LINE.matcher(l);
            if (m.find()) {
                last = Integer.parseInt(m.group(1));
            }
        }
        return last;
    }

    /** Every visible checkpoint of {@code out} loads and matches its manifest; returns their rounds. */
    private List<Long> assertCheckpointsLoad(String out) throws IOException {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(out + "/checkpoints");
        CheckpointStore store = CheckpointStore.open(outFs, dir);
        List<Long> rounds = store.rounds();
        assertFalse(rounds.isEmpty(), "no checkpoint in " + dir);
        for (long r : rounds) {
            store.load(String.format(Locale.ROOT, "ckpt-%06d", r));
        }
        return rounds;
    }

    private List<FileStatus> listOrEmpty(org.apache.hadoop.fs.Path dir) throws IOException {
        try {
            return List.of(outFs.listStatus(dir));
        } catch (java.io.FileNotFoundException e) {
            return List.of();
        }
    }

    private byte[] read(String path) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        try (InputStream in = p.getFileSystem(outFs.getConf()).open(p)) {
            return in.readAllBytes();
        }
    }

    private void delete(String path) throws IOException {
        outFs.delete(new org.apache.hadoop.fs.Path(path), true);
    }

    private static String row(String fault, String happened, long roundsLost, double secondsLost) {
        return String.format(Locale.ROOT, "| %s | %s | %d | %.0f |", fault, happened, roundsLost, secondsLost);
    }

    private void writeFigures() throws IOException {
        double suite = System.nanoTime() / 1e9 - suiteStart;
        StringBuilder sb = new StringBuilder();
        sb.append("output.dir on ").append(hdfsOutput ? "hdfs://" : "a local folder").append(String.format(
                Locale.ROOT, "; suite %.0f s (cluster start, runs, stop)%n%n", suite));
        sb.append("| fault | what happened | rounds lost | seconds lost |\n|---|---|---:|---:|\n");
        for (String f : figures) {
            sb.append(f).append('\n');
        }
        Files.writeString(target.resolve("cluster-faults.md"), sb.toString(), StandardCharsets.UTF_8);
        System.out.print(sb);
    }
}
