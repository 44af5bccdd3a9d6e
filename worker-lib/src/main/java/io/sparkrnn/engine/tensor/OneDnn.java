package io.sparkrnn.engine.tensor;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's oneDNN, as {@link Bf16Gemm} uses it: the CPU engine, whether its effective ISA has bf16 units (the
 * decision and its one log line), and OpenMP held to one thread on each engine thread that calls in.
 */
final class OneDnn {
    private static final Logger LOG = LoggerFactory.getLogger(OneDnn.class);
    private static engine eng;
    private static Boolean available;
    private static String isaName;

    private OneDnn() {
    }

    static synchronized engine engine() {
        if (eng == null) {
            eng = new engine(engine.kind.cpu, 0);
        }
        return eng;
    }

    /**
     * Whether oneDNN dispatches to bf16 units on this CPU: its effective ISA (the CPU's, capped by
     * {@code ONEDNN_MAX_CPU_ISA} or {@code DNNL_MAX_CPU_ISA} when set) is avx512_core_bf16 or above. Decided and
     * logged once per process, on one line.
     */
    static synchronized boolean available() {
        if (available == null) {
            int isa;
            try {
                Loader.load(dnnl.class);
                isa = dnnl.dnnl_get_effective_cpu_isa();
            } catch (LinkageError | RuntimeException e) {
                isa = -1;
                isaName = "oneDNN not loadable: " + e;
            }
            available = hasBf16Units(isa);
            if (isaName == null) {
                isaName = isaName(isa);
            }
            if (available) {
                LOG.info("bf16 products: oneDNN {} (bf16 operands, float32 accumulation)", isaName);
            } else {
                LOG.warn("train.precision bf16: oneDNN's ISA here is {} (no bf16 units, or capped by "
                        + "ONEDNN_MAX_CPU_ISA); bf16 products need avx512_core_bf16 or avx512_core_amx, so the step "
                        + "runs float32", isaName);
            }
        }
        return available;
    }

    /** Whether oneDNN's effective ISA {@code isa} includes bf16 dot products. */
    static boolean hasBf16Units(int isa) {
        return isa == dnnl.dnnl_cpu_isa_avx512_core_bf16 || isa == dnnl.dnnl_cpu_isa_avx512_core_amx;
    }

    /** oneDNN's name of the effective ISA, e.g. {@code avx512_core_bf16}. */
    static synchronized String isa() {
        available();
        return isaName;
    }

    private static String isaName(int isa) {
        return isa == dnnl.dnnl_cpu_isa_avx512_core_amx ? "avx512_core_amx"
                : isa == dnnl.dnnl_cpu_isa_avx512_core_bf16 ? "avx512_core_bf16"
                : isa == dnnl.dnnl_cpu_isa_avx512_core_vnni ? "avx512_core_vnni"
                : isa == dnnl.dnnl_cpu_isa_avx512_core ? "avx512_core"
                : isa == dnnl.dnnl_cpu_isa_avx2 ? "avx2" : "isa " + isa;
    }

    /**
     * Sets this thread's OpenMP thread count to 1: {@code omp_set_num_threads(1)} of every libgomp mapped into the
     * process (ND4J, OpenBLAS and oneDNN each ship one; which copy oneDNN's symbols bound to depends on the load
     * order), which applies to the parallel regions this thread starts. Without it each engine thread would start a
     * team of {@code OMP_NUM_THREADS} threads (default: all cores) for every product.
     */
    static void oneOpenMpThread() {
        for (Function f : ompSetNumThreads()) {
            f.invokeVoid(new Object[] {1});
        }
    }

    private static List<Function> ompSetNumThreads;

    private static synchronized List<Function> ompSetNumThreads() {
        if (ompSetNumThreads == null) {
            Set<String> paths = new LinkedHashSet<>();
            List<Function> found = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(Paths.get("/proc/self/maps"))) {
                    int slash = line.indexOf('/');
                    if (slash >= 0 && line.contains("libgomp")) {
                        paths.add(line.substring(slash).trim());
                    }
                }
                for (String path : paths) {
                    found.add(NativeLibrary.getInstance(path).getFunction("omp_set_num_threads"));
                }
            } catch (IOException | LinkageError | RuntimeException e) {
                LOG.warn("bf16 products: cannot set OpenMP threads to 1 ({}); OMP_NUM_THREADS applies", e.toString());
            }
            ompSetNumThreads = found;
        }
        return ompSetNumThreads;
    }
}
