package io.sparkrnn.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlasKernelsTest {
    private static final String ZEN4 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n"
            + "flags\t\t: fpu sse sse2 avx avx2 fma avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx512_bf16\n"
            + "\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu\n";
    private static final String ZEN3 = ZEN4.replaceAll("avx512\\w*", "");
    private static final String SKYLAKE_X = ZEN4.replace("AuthenticAMD", "GenuineIntel");

    /** The C environment, which OpenBLAS reads (Java's System.getenv is a copy taken at start). */
    public interface Env extends Library {
        String getenv(String name);
    }

    @Test
    void picksSkylakeXOnAnAmdAvx512CpuBeforeOpenBlasLoads(@TempDir Path dir) throws IOException {
        String out = BlasKernels.decide(null, write(dir, "cpuinfo", ZEN4), write(dir, "maps", "7f00 r-xp libc.so.6\n"));
        assertTrue(out.startsWith("OPENBLAS_CORETYPE=SkylakeX"), out);
        Env c = (Env) Native.loadLibrary("c", Env.class);
        // setenv does not overwrite: either this call or the test session's own configure() set it
        assertTrue(c.getenv("OPENBLAS_CORETYPE") != null);
    }

    @Test
    void leavesOtherCpusToOpenBlas(@TempDir Path dir) throws IOException {
        Path maps = write(dir, "maps", "");
        assertTrue(BlasKernels.decide(null, write(dir, "zen3", ZEN3), maps).contains("not an AMD AVX-512 CPU"));
        assertTrue(BlasKernels.decide(null, write(dir, "skx", SKYLAKE_X), maps).contains("not an AMD AVX-512 CPU"));
        assertTrue(BlasKernels.decide(null, dir.resolve("missing"), maps).startsWith("OpenBLAS's own choice (no "));
    }

    @Test
    void theUsersSettingAndAnAlreadyLoadedLibraryWin(@TempDir Path dir) throws IOException {
        Path cpu = write(dir, "cpuinfo", ZEN4);
        assertEquals("OPENBLAS_CORETYPE=Zen (set by the environment)",
                BlasKernels.decide("Zen", cpu, write(dir, "maps", "")));
        String loaded = BlasKernels.decide(null, cpu, write(dir, "maps2", "7f01 r-xp /tmp/libopenblas.so.0\n"));
        assertTrue(loaded.contains("loaded before"), loaded);
        assertTrue(BlasKernels.decide(null, cpu, dir.resolve("no-maps")).contains("loaded before"));
    }

    @Test
    void readsTheVendorAndFlagsOfTheFirstProcessor() {
        assertTrue(BlasKernels.wantsAvx512Core(ZEN4));
        assertFalse(BlasKernels.wantsAvx512Core(ZEN3));
        assertFalse(BlasKernels.wantsAvx512Core(SKYLAKE_X));
        assertFalse(BlasKernels.wantsAvx512Core(ZEN4.replace(" avx512vl", "")));
        assertFalse(BlasKernels.wantsAvx512Core(""));
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
