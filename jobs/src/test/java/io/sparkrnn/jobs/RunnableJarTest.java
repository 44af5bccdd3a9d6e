package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as a user runs it: {@code java -jar spark-rnn-<version>.jar train conf/char-lm.conf} with an
 * embedded Spark, and what it carries. Runs in the verify phase (maven-failsafe-plugin, after the jar is built),
 * not with the unit tests.
 */
class RunnableJarTest {
    @TempDir
    Path tmp;

    /** A file this test is given by jobs/pom.xml's failsafe configuration, built by the package phase. */
    private static Path built(String property) {
        String file = System.getProperty(property);
        assertNotNull(file, "system property " + property + " (set by jobs/pom.xml's failsafe configuration)");
        assertTrue(Files.isRegularFile(Path.of(file)), file + " not built");
        return Path.of(file);
    }

    @Test
    void trainsFromTheJarWithOneLoggingBinding() throws Exception {
        String jar = built("spark-rnn.jar").toString();
        Path repo = Path.of(MainTest.conf()).getParent().getParent();
        Path out = tmp.resolve("run");
        Path stdout = tmp.resolve("stdout.txt");
        Path stderr = tmp.resolve("stderr.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-jar", jar, "train", "conf/char-lm.conf", "--set", "train.rounds=2", "--set",
                "eval.every=1", "--set", "model.hidden=32", "--set", "spark.master=local[2]", "--set",
                "output.dir=" + out).directory(repo.toFile()).redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile()).start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "java -jar did not finish");
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "exit code; stderr:\n" + err);

        assertTrue(Files.isRegularFile(out.resolve("model/model.json")), "model.json");
        long params = lines.stream().filter(l -> l.startsWith("model: lstm 1 x 32, ")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll(".*, ([0-9,]+) parameters", "$1").replace(",", "")))
                .orElseThrow(() -> new AssertionError("no model line in:\n" + lines));
        assertTrue(Files.size(out.resolve("model/weights.safetensors")) >= 4 * params, "float32 weights");
        assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl")).size(), "metrics lines");
        assertTrue(Files.readString(out.resolve("eval.json")).contains("\"valid_bits_per_char\""), "eval.json");
        assertEquals("report: " + out.resolve("report.html").toAbsolutePath(), lines.get(lines.size() - 1),
                "the last line says where the report is");
        assertTrue(Files.readString(out.resolve("report.html")).contains("Chart.js v"), "report with its charts");

        // One SLF4J provider, found through the merged META-INF/services: no NOP or multiple-binding warnings.
        assertTrue(err.lines().noneMatch(l -> l.startsWith("SLF4J")), "SLF4J warnings:\n" + err);
        // The jar's log4j2.properties (the one bin/spark-rnn uses): our INFO lines in its pattern, Spark's INFO off.
        assertTrue(err.lines().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d INFO  CheckpointStore: saved .*")),
                "spark-rnn INFO lines in conf/log4j2.properties' pattern:\n" + err);
        assertTrue(err.lines().noneMatch(l -> l.contains(" INFO ") && l.contains("SparkContext")),
                "Spark INFO lines:\n" + err);
    }

    /**
     * The benchmarks' DL4J and dl4j-spark peers live in the bench module: no class under org/deeplearning4j/ in the
     * runnable jar, nor in any jar of jobs' runtime classpath (bin/spark-rnn's, target/classpath.txt).
     */
    @Test
    void carriesNoDl4jClass() throws IOException {
        assertEquals(List.of(), dl4jEntries(built("spark-rnn.jar")), "the runnable jar");
        String classpath = Files.readString(built("spark-rnn.classpath"), StandardCharsets.UTF_8).strip();
        for (String entry : classpath.split(File.pathSeparator)) {
            assertEquals(List.of(), dl4jEntries(Path.of(entry)), entry);
        }
    }

    /** The first few entries under org/deeplearning4j/ of a jar or a class folder. */
    private static List<String> dl4jEntries(Path jar) throws IOException {
        if (Files.isDirectory(jar)) {
            Path dl4j = jar.resolve("org/deeplearning4j");
            return Files.exists(dl4j) ? List.of(dl4j.toString()) : List.of();
        }
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.stream().map(JarEntry::getName).filter(n -> n.startsWith("org/deeplearning4j/")).limit(5)
                    .toList();
        }
    }
}
