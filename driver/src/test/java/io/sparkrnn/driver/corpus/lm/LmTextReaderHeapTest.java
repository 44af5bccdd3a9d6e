package io.sparkrnn.driver.corpus.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.SparkCorpusTest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proof that the language-model reader brings no corpus rows to the driver: a child JVM with a 256 MB heap
 * (driver and executors in one, local[2]) reads, counts, encodes and partitions a corpus over four times that
 * size, Moby Dick repeated into two files. Size: system property {@code sparkrnn.heapTest.bytes} (default
 * 1.1 GB); the generated files and Spark's scratch space live in the test's temporary folder.
 */
class LmTextReaderHeapTest {
    static final long HEAP = 256L << 20;

    @Test
    void aCorpusFourTimesTheHeapIsReadInAChildJvm(@TempDir Path dir) throws Exception {
        long target = Long.getLong("sparkrnn.heapTest.bytes", 1_100_000_000L);
        byte[] moby = Files.readAllBytes(Path.of(SparkCorpusTest.sample("moby-dick/moby-dick.txt")));
        int perCopy = CharCorpus.read(Path.of(SparkCorpusTest.sample("moby-dick/moby-dick.txt"))).ids().length;
        Path corpus = Files.createDirectory(dir.resolve("corpus"));
        long copies = (target + moby.length - 1) / moby.length;
        long half = copies / 2;
        write(corpus.resolve("part-0.txt"), moby, half);
        write(corpus.resolve("part-1.txt"), moby, copies - half);
        assertTrue(copies * moby.length > 4 * HEAP);

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + (HEAP >> 20) + "m");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LmHeapProbe.class.getName());
        cmd.add(corpus.toString());
        cmd.add("128");
        cmd.add(Files.createDirectory(dir.resolve("spark-local")).toString());
        Path log = dir.resolve("child.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(20, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertTrue(ended, "the child did not end in 20 minutes:\n" + tail(out));
        assertEquals(0, p.exitValue(), "child failed:\n" + tail(out));
        Map<String, String> v = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.indexOf(' ') < 0) {
                v.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        System.out.printf("child JVM, heap %d MB, corpus %d MB: %s tokens in %s splits, %s partitions, imbalance %s%n",
                HEAP >> 20, copies * moby.length >> 20, v.get("tokens"), v.get("splits"), v.get("partitions"),
                v.get("imbalance"));
        assertTrue(Long.parseLong(v.get("heap")) <= HEAP, out);
        assertEquals(copies * perCopy, Long.parseLong(v.get("tokens")));
        assertEquals(Math.round(copies * perCopy * 0.99), Long.parseLong(v.get("train")));
        assertEquals(128, Integer.parseInt(v.get("partitions")));
        assertTrue(Double.parseDouble(v.get("imbalance")) <= 1.05, out);
        assertTrue(Integer.parseInt(v.get("splits")) >= 16, "big files are read by many tasks: " + v.get("splits"));
    }

    /** {@code copies} times {@code unit}, in 16 MB writes. */
    private static void write(Path f, byte[] unit, long copies) throws IOException {
        int per = Math.max(1, (16 << 20) / unit.length);
        ByteBuffer buf = ByteBuffer.allocate(per * unit.length);
        for (int i = 0; i < per; i++) {
            buf.put(unit);
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long done = 0; done < copies; done += per) {
                int n = (int) Math.min(per, copies - done);
                buf.clear().limit(n * unit.length);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }
    }

    /** The first error with its context, and the end of the log. */
    private static String tail(String s) {
        int e = s.indexOf("ERROR");
        String first = e < 0 ? "" : s.substring(e, Math.min(s.length(), e + 4000)) + "\n...\n";
        return first + (s.length() > 3000 ? s.substring(s.length() - 3000) : s);
    }
}
