package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A cluster of scripts/local-cluster.sh for the tests: its own state folder and ports (clear of the script's
 * defaults, so a user's cluster can run beside it), the jobs it runs through {@code local-cluster.sh submit}, and
 * the processes they start. {@link #close} kills by PID every process this cluster or its jobs started and checks
 * with {@code /proc} that none is left.
 */
final class LocalClusterTesting implements AutoCloseable {
    /** Ports of this cluster: the script's defaults plus 10000. */
    static final int MASTER_PORT = 27077;
    static final int NAMENODE_PORT = 29820;
    private static final Map<String, String> PORTS = Map.of("LOCAL_CLUSTER_MASTER_PORT", "27077",
            "LOCAL_CLUSTER_MASTER_UI_PORT", "27080", "LOCAL_CLUSTER_WORKER_PORT", "27091",
            "LOCAL_CLUSTER_WORKER_UI_PORT", "27081", "LOCAL_CLUSTER_NAMENODE_PORT", "29820",
            "LOCAL_CLUSTER_NAMENODE_HTTP_PORT", "29870", "LOCAL_CLUSTER_DATANODE_PORT", "29866",
            "LOCAL_CLUSTER_DATANODE_HTTP_PORT", "29864", "LOCAL_CLUSTER_DATANODE_IPC_PORT", "29867");
    private static final Pattern RUNNING = Pattern.compile("INFO Executor: Running task ");
    private static final Pattern FINISHED = Pattern.compile("INFO Executor: Finished task ");

    private final Path repo;
    private final Path dir;
    private final List<Job> jobs = Collections.synchronizedList(new ArrayList<>());

    LocalClusterTesting(Path repo, Path dir) {
        this.repo = repo;
        this.dir = dir.toAbsolutePath();
        // A test JVM ended by a signal (a build's timeout, ^C) runs no @AfterAll: its drivers go with it at least.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (jobs) {
                jobs.forEach(j -> j.driver.destroyForcibly());
            }
        }, "local-cluster-jobs"));
    }

    String master() {
        return "spark://127.0.0.1:" + MASTER_PORT;
    }

    String hdfs() {
        return "hdfs://127.0.0.1:" + NAMENODE_PORT;
    }

    Path dir() {
        return dir;
    }

    /** Runs {@code scripts/local-cluster.sh ARGS} to its end; fails with its output unless it exits 0. */
    String script(String... args) {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("scripts/local-cluster.sh").toString()));
        cmd.addAll(List.of(args));
        try {
            Path log = Files.createTempFile(dir, "script", ".log");
            Process p = builder(cmd).redirectOutput(log.toFile()).start();
            boolean ended = p.waitFor(6, TimeUnit.MINUTES);
            if (!ended) {
                p.destroyForcibly().waitFor();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            if (!ended || p.exitValue() != 0) {
                fail("local-cluster.sh " + String.join(" ", args) + (ended ? " exited " + p.exitValue()
                        : " did not end in 6 minutes") + ":\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private ProcessBuilder builder(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().putAll(PORTS);
        pb.environment().put("LOCAL_CLUSTER_DIR", dir.toString());
        return pb;
    }

    void start() throws IOException {
        Files.createDirectories(dir);
        script("start");
    }

    /** Starts {@code local-cluster.sh submit ARGS}: its process is the driver's JVM (the script execs it). */
    Job submit(String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("scripts/local-cluster.sh").toString(), "submit"));
        cmd.addAll(args);
        Path log = dir.resolve("jobs/" + name + ".log");
        Files.createDirectories(log.getParent());
        Job job = new Job(name, builder(cmd).start(), log);
        jobs.add(job);
        return job;
    }

    /** A submitted job: its driver process and every line it printed, with the seconds since it started. */
    static final class Job {
        final String name;
        final Process driver;
        private final long t0 = System.nanoTime();
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final Thread reader;
        private volatile double seconds = Double.NaN;

        private Job(String name, Process driver, Path log) {
            this.name = name;
            this.driver = driver;
            this.reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(driver.getInputStream(),
                        StandardCharsets.UTF_8)); Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                    for (String l; (l = in.readLine()) != null; ) {
                        lines.add(l);
                        w.write(String.format("%7.2f %s%n", elapsed(), l));
                        w.flush();
                    }
                } catch (IOException e) {
                    lines.add("(reading the driver's output failed: " + e + ")");
                }
            }, "driver-output-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        double elapsed() {
            return (System.nanoTime() - t0) / 1e9;
        }

        /** Seconds from the submit to the driver's end. */
        double seconds() {
            return seconds;
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        String output() {
            return String.join("\n", lines());
        }

        boolean printed(String regex) {
            Pattern p = Pattern.compile(regex);
            return lines().stream().anyMatch(l -> p.matcher(l).find());
        }

        /** Waits until a line matches; fails with the output when the driver ends first or time is up. */
        String await(String regex, Duration timeout) throws InterruptedException {
            Pattern p = Pattern.compile(regex);
            long end = System.nanoTime() + timeout.toNanos();
            while (true) {
                Optional<String> hit = lines().stream().filter(l -> p.matcher(l).find()).findFirst();
                if (hit.isPresent()) {
                    return hit.get();
                }
                if (!driver.isAlive()) {
                    reader.join(5000);
                    hit = lines().stream().filter(l -> p.matcher(l).find()).findFirst();
                    if (hit.isPresent()) {
                        return hit.get();
                    }
                    fail(name + ": the driver exited (" + driver.exitValue() + ") before printing /" + regex + "/:\n"
                            + output());
                }
                if (System.nanoTime() > end) {
                    fail(name + ": no line /" + regex + "/ in " + timeout.toSeconds() + " s:\n" + output());
                }
                Thread.sleep(20);
            }
        }

        /** Waits for the driver to end; returns its exit code. */
        int exit(Duration timeout) throws InterruptedException {
            if (!driver.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                kill();
                fail(name + ": did not end in " + timeout.toSeconds() + " s (killed):\n" + output());
            }
            reader.join(10_000);
            if (Double.isNaN(seconds)) {
                seconds = elapsed();
            }
            return driver.exitValue();
        }

        /** kill -9 of the driver's JVM; returns once it is gone. */
        void kill() throws InterruptedException {
            if (driver.isAlive() && Double.isNaN(seconds)) {
                seconds = elapsed();
            }
            driver.destroyForcibly();
            driver.waitFor(30, TimeUnit.SECONDS);
            reader.join(10_000);
        }
    }

    /** An executor JVM a worker started: its PID and its folder under work/ (stderr is its log). */
    record Executor(long pid, Path workDir) {
        /** Whether its log shows a task started and not finished. */
        boolean taskRunning() {
            String log = stderr();
            return count(RUNNING, log) > count(FINISHED, log);
        }

        String stderr() {
            try {
                return Files.readString(workDir.resolve("stderr"), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                return "";
            }
        }

        private static int count(Pattern p, String s) {
            Matcher m = p.matcher(s);
            int n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        }

        void kill() throws InterruptedException {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isPresent()) {
                h.get().destroyForcibly();
                h.get().onExit().orTimeout(30, TimeUnit.SECONDS).join();
            }
        }
    }

    /** The executor JVMs the workers of this cluster are running (CoarseGrainedExecutorBackend, cwd in work/). */
    List<Executor> executors() {
        List<Executor> found = new ArrayList<>();
        for (long pid : pidsWithCommandLineContaining(dir.toString())) {
            String cmd = commandLine(pid);
            if (cmd.contains("CoarseGrainedExecutorBackend")) {
                try {
                    found.add(new Executor(pid, Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"))));
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return found;
    }

    /** Waits until an executor runs a task; returns it. */
    Executor awaitRunningTask(Job job, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end && job.driver.isAlive()) {
            for (Executor e : executors()) {
                if (e.taskRunning()) {
                    return e;
                }
            }
            Thread.sleep(20);
        }
        return fail(job.name + ": no executor started a task in " + timeout.toSeconds() + " s:\n" + job.output());
    }

    /**
     * Waits until the workers have stopped the executors of ended jobs (the master tells them when a driver is
     * gone); kills by PID any still running after the timeout. Deletes the jobs' work folders (each executor holds a
     * copy of the application jar there). Returns how many had to be killed.
     */
    int awaitNoExecutors(Duration timeout) throws InterruptedException, IOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!executors().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        List<Executor> left = executors();
        for (Executor e : left) {
            e.kill();
        }
        for (String w : List.of("worker-1", "worker-2")) {
            Path work = dir.resolve("work").resolve(w);
            if (Files.isDirectory(work)) {
                try (Stream<Path> apps = Files.list(work)) {
                    for (Path app : apps.filter(p -> p.getFileName().toString().startsWith("app-")).toList()) {
                        deleteTree(app);
                    }
                }
            }
        }
        return left.size();
    }

    /**
     * Kills every job still running and every executor, stops the daemons with the script, then kills by PID any
     * process whose command line names this cluster's folder (daemons, executors, drivers all do) and checks that
     * none is left. Deletes the folder.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        for (Job j : List.copyOf(jobs)) {
            j.kill();
        }
        awaitNoExecutors(Duration.ofSeconds(20));
        try {
            script("stop");
        } catch (AssertionError e) {
            problems.add(e.getMessage());
        }
        for (long pid : pidsWithCommandLineContaining(dir.toString())) {
            problems.add("left running, killed: " + pid + " " + commandLine(pid));
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroyForcibly();
                h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
            });
        }
        List<Long> still = pidsWithCommandLineContaining(dir.toString());
        deleteTree(dir);
        assertEquals(List.of(), still, "processes of the cluster left after close");
        assertEquals(List.of(), problems, "stopping the cluster");
    }

    /** The PIDs of live processes whose command line contains {@code text} (from /proc/PID/cmdline). */
    static List<Long> pidsWithCommandLineContaining(String text) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(p -> p != self)
                .filter(p -> commandLine(p).contains(text)).sorted().toList();
    }

    static String commandLine(long pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(b, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
