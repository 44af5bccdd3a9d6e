package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.tensor.Bf16Products;
import io.sparkrnn.engine.tensor.BlasKernels;
import io.sparkrnn.engine.tensor.Precision;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The child process of {@code bench engine}: measures one thing and prints one line
 * {@value #MARKER}{@code {json}} on stdout, so that each implementation's peak memory is its own.
 *
 * <p>usage: {@code BenchChild gemm <settings.json>}, {@code BenchChild gemm-bf16 <gemm-settings.json>}, {@code BenchChild train <ours|ours-bf16|dl4j> <cell> <hidden>
 * <settings.json>}, {@code BenchChild spark <ours|dl4j> <spark-settings.json>}, {@code BenchChild rounds
 * <round-cost-run.json>} or {@code BenchChild ceiling <threads> <steps> <spark-settings.json>}
 */
public final class BenchChild {
    static final String MARKER = "BENCH-RESULT ";
    static final int GEMM_N = 2048;
    static final ObjectMapper JSON = new ObjectMapper();

    private BenchChild() {
    }

    public static void main(String[] args) throws Exception {
        ObjectNode out = JSON.createObjectNode();
        // Ours picks the BLAS kernels for this CPU as the product does; DL4J runs as its users get it.
        if (!(args.length > 1 && args[1].equals("dl4j"))) {
            out.put("blas_kernels", BlasKernels.configure());
        }
        if (args[0].equals("spark")) {
            SparkBenchSettings s = JSON.readValue(args[2], SparkBenchSettings.class);
            CharLmData d = CharLmData.read(s);
            boolean ours = args[1].equals("ours");
            RunLog log = ours ? OursSparkRun.run(s, d) : Dl4jSparkRun.run(s, d);
            log.write(out, JSON);
            // What ran: ours in its settings' precision unless oneDNN has no bf16 units; DL4J only in float32.
            out.put("precision", (ours ? OursSparkRun.ran(s.enginePrecision()) : Precision.FLOAT32).key());
            if (ours && s.enginePrecision() == Precision.BF16) {
                out.put("onednn_isa", Bf16Products.isa());
            }
        } else if (args[0].equals("rounds")) {
            RoundCostRun run = JSON.readValue(args[1], RoundCostRun.class);
            RoundCostRun.Result r = run.run();
            out.put("parameters", r.parameters());
            out.set("rounds", JSON.valueToTree(r.rounds()));
        } else if (args[0].equals("ceiling")) {
            SparkBenchSettings s = JSON.readValue(args[3], SparkBenchSettings.class);
            out.put("tokens_per_s", EngineCeiling.tokensPerSecond(s, CharLmData.read(s), Integer.parseInt(args[1]),
                    Integer.parseInt(args[2])));
        } else if (args[0].equals("gemm-bf16")) {
            GemmBench.measure(JSON.readValue(args[1], GemmBench.Settings.class)).fields()
                    .forEachRemaining(e -> out.set(e.getKey(), e.getValue()));
        } else if (args[0].equals("gemm")) {
            BenchSettings s = JSON.readValue(args[1], BenchSettings.class);
            out.put("gemm_gflops", gemmGflops(GEMM_N, Math.max(5, s.repeats())));
            out.put("n", GEMM_N);
        } else {
            String impl = args[1];
            String cell = args[2];
            int hidden = Integer.parseInt(args[3]);
            BenchSettings s = JSON.readValue(args[4], BenchSettings.class);
            TrainingStep step = impl.startsWith("ours")
                    ? new OursStep(s, cell, hidden, Precision.parse(impl.equals("ours") ? "float32" : "bf16"))
                    : new Dl4jStep(s, cell, hidden);
            Timing.Measured m = Timing.time(step, s);
            out.put("tokens_per_s", m.median());
            out.set("tokens_per_s_repeats", JSON.valueToTree(m.tokensPerSecond()));
            out.put("batches_per_repeat", m.steps());
            out.put("warmup_batches", m.warmupBatches());
        }
        out.put("peak_rss_mb", Timing.peakRssMb());
        System.out.println(MARKER + JSON.writeValueAsString(out));
        System.out.flush();
        // ND4J's and Spark's non-daemon threads must not keep the child alive.
        System.exit(0);
    }

    /** Median GFLOP/s of {@code C = A B} on n x n float32 matrices (2 n^3 flops), after two warm-up products. */
    static double gemmGflops(int n, int repeats) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < repeats + 2; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            double sec = (System.nanoTime() - t0) * 1e-9;
            if (i >= 2) {
                rates.add(2.0 * n * n * n / sec / 1e9);
            }
        }
        return Timing.median(rates.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
