package io.sparkrnn.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train.precision = bf16} on a CPU without bf16 units, on any CPU: a child JVM whose oneDNN is capped at
 * AVX-512 without bf16 ({@code ONEDNN_MAX_CPU_ISA=AVX512_CORE}) logs the fallback once, on one line naming the ISA,
 * and its bf16 step's gradient is the float32 step's, bit for bit.
 */
class Bf16FallbackTest {
    private static final long TIMEOUT_SECONDS = 120;

    @Test
    void cappedIsaFallsBackToFloat32WithOneLogLine(@TempDir Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Bf16FallbackMain.class.getName())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("DNNL_MAX_CPU_ISA");
        pb.environment().put("ONEDNN_MAX_CPU_ISA", "AVX512_CORE");
        Process child = pb.start();
        try {
            boolean done = child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(done, "the child JVM did not finish in " + TIMEOUT_SECONDS + " s");
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        List<String> stdout = Files.readAllLines(out, StandardCharsets.UTF_8);
        List<String> stderr = Files.readAllLines(err, StandardCharsets.UTF_8);
        String all = "stdout " + stdout + "\nstderr " + stderr;
        assertEquals(0, child.exitValue(), all);
        assertTrue(stdout.contains("available false"), all);
        // avx512_core here; a CPU without AVX-512 stays at its own (avx2, ...), which the cap does not raise.
        String isa = value(stdout, "isa ");
        assertTrue(!isa.contains("bf16") && !isa.contains("amx"), all);
        List<String> fallback = stderr.stream().filter(l -> l.contains("train.precision bf16")).toList();
        assertEquals(1, fallback.size(), all);
        assertTrue(fallback.get(0).contains("oneDNN's ISA here is " + isa + " ")
                && fallback.get(0).contains("runs float32"), fallback.get(0));
        String bf16 = value(stdout, "bf16 ");
        String f32 = value(stdout, "float32 ");
        assertEquals(64, f32.length(), all);
        assertEquals(f32, bf16, "the capped bf16 step's gradient differs from the float32 step's");
    }

    private static String value(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + prefix + "...' in " + lines));
    }
}
