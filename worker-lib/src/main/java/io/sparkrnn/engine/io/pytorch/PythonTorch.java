package io.sparkrnn.engine.io.pytorch;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The one place that finds a python interpreter that imports torch, for whatever runs PyTorch next to the engine
 * (the benchmarks' torch peers, the tests that run exported model folders). The candidates, in order: env
 * {@value #ENV} if set (then it alone), else {@code python3} on PATH, else {@code /usr/bin/python3}. The probe is
 * {@code python -c "import torch"} (two minutes at most), run once per interpreter and cached.
 */
public final class PythonTorch {
    /** The environment variable that names the interpreter. */
    public static final String ENV = "SPARK_RNN_PYTHON";
    private static final Map<String, Boolean> PROBED = new ConcurrentHashMap<>();

    private PythonTorch() {
    }

    /** The interpreters tried, in order: env {@value #ENV} alone if set, else python3 on PATH, /usr/bin/python3. */
    public static List<String> candidates() {
        String forced = System.getenv(ENV);
        return forced != null && !forced.isBlank() ? List.of(forced) : List.of("python3", "/usr/bin/python3");
    }

    /** The first of {@link #candidates()} that imports torch; empty when none does. */
    public static Optional<String> find() {
        return candidates().stream().filter(PythonTorch::imports).findFirst();
    }

    /** Whether {@code python -c "import torch"} succeeds (cached per interpreter). */
    public static boolean imports(String python) {
        return PROBED.computeIfAbsent(python, PythonTorch::probe);
    }

    private static boolean probe(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
