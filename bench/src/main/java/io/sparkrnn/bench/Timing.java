package io.sparkrnn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Warm-up, repeats and medians; peak resident memory of this process. */
final class Timing {
    private Timing() {
    }

    /** Result of timing a training step: tokens per second of each repeat and the batches per repeat. */
    record Measured(double[] tokensPerSecond, int steps, int warmupBatches) {
        double median() {
            return Timing.median(tokensPerSecond);
        }
    }

    /**
     * Trains two warm-up batches (JIT, allocator, workspaces), then {@code repeats} timed repeats of
     * {@code steps} batches. With steps 0, a calibration pass (more warm-up) trains batches for about half of
     * {@code targetSeconds} and sets steps so that one repeat lasts about {@code targetSeconds} (at least 2).
     */
    static Measured time(TrainingStep step, BenchSettings s) {
        int warmup = 2;
        for (int i = 0; i < warmup; i++) {
            step.trainOneBatch();
        }
        int steps = s.steps();
        if (steps == 0) {
            long t0 = System.nanoTime();
            int n = 0;
            double elapsed;
            do {
                step.trainOneBatch();
                n++;
                elapsed = (System.nanoTime() - t0) * 1e-9;
            } while (elapsed < 0.5 * s.targetSeconds());
            warmup += n;
            steps = (int) Math.max(2, Math.min(1000, Math.ceil(s.targetSeconds() * n / elapsed)));
        }
        double[] rates = new double[s.repeats()];
        for (int r = 0; r < rates.length; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                step.trainOneBatch();
            }
            rates[r] = steps * s.tokensPerBatch() / ((System.nanoTime() - t0) * 1e-9);
        }
        return new Measured(rates, steps, warmup);
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        int n = c.length;
        return n % 2 == 1 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
    }

    /** Peak resident set size (VmHWM) of this process in MB, or -1 where /proc is not available. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
