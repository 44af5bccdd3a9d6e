package io.sparkrnn.engine.tensor;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses OpenBLAS's kernel set for this CPU before the library loads.
 *
 * <p>ND4J 1.0.0-M2.1 bundles OpenBLAS 0.3.19, which predates AMD Zen 4: on Zen 4 (and later AMD AVX-512 CPUs) it
 * falls back to its AVX2 "Zen" kernels, whereas OpenBLAS 0.3.22 and later (Debian's 0.3.21 too, which PyTorch
 * uses) pick the AVX-512 SkylakeX/Cooperlake kernels. Those include the small-matrix paths that the engine's
 * per-step {@code [B, H] x [H, G]} products hit: on this project's Zen 4 machine a {@code 16 x 128 x 128} sgemm runs
 * at about 110 GFLOP/s with SkylakeX against 40 with Zen (docs/engine.md, "Small-matrix blocks").
 *
 * <p>OpenBLAS reads {@code OPENBLAS_CORETYPE} from the C environment when it is loaded, so {@link #configure}
 * sets it there (libc {@code setenv} through JNA) when: it is not set already (a value set by the user always
 * wins, {@code OPENBLAS_CORETYPE=Zen} restores the old choice), the CPU is an AMD one reporting the AVX-512
 * subsets SkylakeX needs (F, CD, BW, DQ, VL), and no OpenBLAS is mapped into the process yet. Entry points call it
 * first (the command line, the executor's round task, the benchmark child); {@link Tensors} calls it as well so
 * that any other user of the engine gets it as long as the engine is the first to touch ND4J.
 */
public final class BlasKernels {
    /** The kernel set chosen for AMD AVX-512 CPUs. */
    static final String AVX512_CORE = "SkylakeX";
    private static final String VAR = "OPENBLAS_CORETYPE";
    private static final Set<String> SMALL_MATRIX_CORES = Set.of("skylakex", "cooperlake", "sapphirerapids");
    private static final Set<String> AVX512_FLAGS = Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    private static final Logger LOG = LoggerFactory.getLogger(BlasKernels.class);
    private static String outcome;
    private static Boolean smallMatrixKernels;

    private BlasKernels() {
    }

    /** The C library's environment setter. */
    public interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /**
     * Sets {@code OPENBLAS_CORETYPE} for this CPU if it applies (see the class comment); idempotent and safe to call
     * from any thread. Returns what was done, for logs and tests.
     */
    public static synchronized String configure() {
        if (outcome == null) {
            outcome = decide(System.getenv(VAR), Paths.get("/proc/cpuinfo"), Paths.get("/proc/self/maps"));
            LOG.info("BLAS kernels: {}", outcome);
        }
        return outcome;
    }

    /**
     * Whether the OpenBLAS in this process runs the SkylakeX kernel family (SkylakeX, Cooperlake, SapphireRapids),
     * whose sgemm has small-matrix kernels for {@code C = A B} with {@code M N K <= 100^3}: at M = 16 they run
     * about twice as fast as the general path, which {@link DirectGemm} uses by cutting larger products at small M
     * into such blocks. Asks the loaded library ({@code openblas_get_corename}); false when that is not possible.
     * Call after OpenBLAS is loaded.
     */
    public static synchronized boolean smallMatrixKernels() {
        if (smallMatrixKernels == null) {
            String core = corename(Paths.get("/proc/self/maps"));
            smallMatrixKernels = core != null && SMALL_MATRIX_CORES.contains(core.toLowerCase(Locale.ROOT));
            LOG.info("OpenBLAS core {}: {}", core == null ? "unknown" : core, smallMatrixKernels
                    ? "float32 products at small M run as blocks for the small-matrix kernels"
                    : "no small-matrix kernels");
        }
        return smallMatrixKernels;
    }

    /** {@code openblas_get_corename()} of the OpenBLAS mapped into this process, or null. */
    static String corename(Path maps) {
        try {
            String lib = null;
            for (String line : Files.readAllLines(maps)) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.contains("libopenblas")) {
                    String path = line.substring(slash).trim();
                    if (lib == null || path.contains("libopenblas_nolapack")) {
                        lib = path; // the one the CBLAS calls go to (org.bytedeco.openblas_nolapack), else any
                    }
                }
            }
            if (lib == null) {
                return null;
            }
            Function f = NativeLibrary.getInstance(lib).getFunction("openblas_get_corename");
            return f.invokeString(new Object[0], false);
        } catch (IOException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    static String decide(String current, Path cpuinfo, Path maps) {
        if (current != null && !current.isBlank()) {
            return VAR + "=" + current + " (set by the environment)";
        }
        String cpu = cpuinfo(cpuinfo);
        if (cpu == null) {
            return "OpenBLAS's own choice (no " + cpuinfo + ")";
        }
        if (!wantsAvx512Core(cpu)) {
            return "OpenBLAS's own choice (not an AMD AVX-512 CPU)";
        }
        if (openBlasLoaded(maps)) {
            return "OpenBLAS's own choice (OpenBLAS was loaded before the engine could choose " + AVX512_CORE + ")";
        }
        try {
            LibC c = (LibC) Native.loadLibrary("c", LibC.class);
            if (c.setenv(VAR, AVX512_CORE, 0) != 0) {
                return "OpenBLAS's own choice (setenv failed)";
            }
        } catch (LinkageError | RuntimeException e) {
            return "OpenBLAS's own choice (cannot reach libc: " + e.getMessage() + ")";
        }
        return VAR + "=" + AVX512_CORE + " (AMD CPU with AVX-512; the bundled OpenBLAS 0.3.19 would run AVX2 kernels)";
    }

    /** Whether {@code /proc/cpuinfo} text describes an AMD CPU with the AVX-512 subsets of SkylakeX. */
    static boolean wantsAvx512Core(String cpuinfo) {
        CpuInfoText cpu = new CpuInfoText(cpuinfo);
        return cpu.field("vendor_id").equals("AuthenticAMD") && cpu.flags().containsAll(AVX512_FLAGS);
    }

    private static String cpuinfo(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean openBlasLoaded(Path maps) {
        try {
            List<String> lines = Files.readAllLines(maps);
            return lines.stream().anyMatch(l -> l.contains("libopenblas"));
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell: do not change what a loaded library would not see anyway
        }
    }
}
