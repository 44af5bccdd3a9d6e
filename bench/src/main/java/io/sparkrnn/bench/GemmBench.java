package io.sparkrnn.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.tensor.Tensors;
import io.sparkrnn.jobs.Cli;
import io.sparkrnn.jobs.config.ConfigException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spark-rnn bench gemm}: the matrix products of one recurrent projection as a training step runs them, float32
 * on the engine's path ({@link Tensors#gemm}: OpenBLAS cblas_sgemm, small-matrix blocks) against oneDNN's matmul
 * ({@link OneDnnMatmul}) in float32 and in bf16 with float32 accumulation; in a child JVM at the given thread count.
 */
@Command(name = "gemm", header = "an LSTM step's products: float32 sgemm vs oneDNN bf16", synopsisHeading = "%nusage: ",
        customSynopsis = """
                spark-rnn bench gemm [--shapes 32x512x2048,32x128x512] [--threads 1] [--seconds 0.3]
                                            [--repeats 7] [--json out.json]""",
        descriptionHeading = "%n", description = """
                For each shape BxIxG (B rows of a batch, input width I, output width G, e.g. G = 4H for an LSTM's
                gates) times the three products of the projection Y = X W, X [B, I], W [I, G]: forward X W,
                input gradient dY W^T, weight gradient X^T dY; each as
                  f32 engine    the engine's float32 path (cblas_sgemm of ND4J's OpenBLAS 0.3.19, small-matrix
                                blocks at B <= 32)
                  f32 oneDNN    oneDNN 2.5.2 matmul, float32
                  bf16 oneDNN   oneDNN matmul on bf16 operands, float32 accumulation and output, both operands
                                converted beforehand
                  bf16 + conv   the same, converting the first operand from float32 in each call (activations
                                or gradients are new every step; weights are converted once per update)
                Median GFLOP/s (2 B I G flops) over --repeats rounds of about --seconds per variant, the variants
                interleaved in each round; error = max |C - C_f32| / max |C_f32| against the engine's product.
                OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = --threads in the child.""",
        optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
                examples:
                  bin/spark-rnn bench gemm --json out/bench-gemm.json
                  bin/spark-rnn bench gemm --shapes 128x512x2048 --threads 2""")
public final class GemmBench implements Callable<Integer> {
    static final List<String> VARIANTS = List.of("f32 engine", "f32 oneDNN", "bf16 oneDNN", "bf16 + conv");
    private final PrintStream out;

    @Option(names = "--shapes", split = ",", paramLabel = "BxIxG", description = "default 32x512x2048,32x128x512 "
            + "(LSTM H = 512 and 128 at batch 32, input = H)")
    private List<String> shapes = new ArrayList<>(List.of("32x512x2048", "32x128x512"));
    @Option(names = "--threads", paramLabel = "N", description = "BLAS / OpenMP threads; default 1")
    private int threads = 1;
    @Option(names = "--seconds", paramLabel = "S", description = "time per variant per round; default 0.3")
    private double seconds = 0.3;
    @Option(names = "--repeats", paramLabel = "N", description = "rounds; default 7")
    private int repeats = 7;
    @Option(names = "--json", paramLabel = "<file>", description = "write the report here")
    private String json;
    @Mixin
    private Cli.HelpOption help;

    GemmBench(PrintStream out) {
        this.out = out;
    }

    /**
     * What the child measures.
     *
     * @param shapes  each {B, I, G}
     * @param seconds time per variant per round
     * @param repeats rounds
     */
    record Settings(List<int[]> shapes, double seconds, int repeats) {
    }

    @Override
    public Integer call() {
        Settings s = settings();
        if (threads < 1) {
            throw new ConfigException("--threads must be at least 1, found " + threads);
        }
        ObjectNode report = BenchReport.begin("gemm", threads + " thread(s)", out);
        report.put("threads", threads);
        report.set("settings", EngineBench.JSON.valueToTree(s));
        int code = 0;
        try {
            JsonNode child = EngineBench.runJava(List.of("gemm-bf16", EngineBench.JSON.writeValueAsString(s)),
                    threads);
            child.fields().forEachRemaining(e -> report.set(e.getKey(), e.getValue()));
            out.print(table(report));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            report.put("status", "failed");
            report.put("note", e.getMessage());
            out.println("failed: " + e.getMessage());
            code = 1;
        }
        BenchReport.end(report, out);
        BenchReport.write(report, json, out);
        return code;
    }

    /** The options; a shape is three positive whole numbers joined by x. */
    Settings settings() {
        List<int[]> parsed = new ArrayList<>();
        for (String spec : shapes) {
            String[] f = spec.trim().toLowerCase(Locale.ROOT).split("x");
            int[] d = new int[3];
            boolean ok = f.length == 3;
            for (int i = 0; ok && i < 3; i++) {
                try {
                    d[i] = Integer.parseInt(f[i]);
                    ok = d[i] > 0 && d[i] <= 16_384;
                } catch (NumberFormatException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw new ConfigException("--shapes expects BxIxG with whole numbers 1..16384, e.g. 32x512x2048,"
                        + " found '" + spec + "'");
            }
            parsed.add(d);
        }
        if (parsed.isEmpty() || !(seconds > 0) || repeats < 1) {
            throw new ConfigException("--shapes needs a shape, --seconds must be positive, --repeats at least 1");
        }
        return new Settings(parsed, seconds, repeats);
    }

    /** The child's part: every shape's three products in every variant; one record each. */
    static ObjectNode measure(Settings s) {
        ObjectNode result = EngineBench.JSON.createObjectNode();
        result.put("onednn_isa", OneDnnMatmul.isa());
        ArrayNode records = result.putArray("records");
        Random rnd = new Random(1234);
        for (int[] shape : s.shapes()) {
            int b = shape[0];
            int in = shape[1];
            int g = shape[2];
            // forward X W; input gradient dY W^T (W stored [I, G]); weight gradient X^T dY (X stored [B, I])
            records.add(product("forward", b, in, g, false, false, s, rnd, shape));
            records.add(product("input gradient", b, g, in, false, true, s, rnd, shape));
            records.add(product("weight gradient", in, b, g, true, false, s, rnd, shape));
        }
        return result;
    }

    /** C[m, n] = op(A) op(B) with inner dimension k, in every variant. */
    private static ObjectNode product(String name, int m, int k, int n, boolean transA, boolean transB, Settings s,
            Random rnd, int[] shape) {
        float[] a = gaussian(rnd, m * k, 1.0);
        float[] bw = gaussian(rnd, k * n, 1.0 / Math.sqrt(k));
        INDArray aArr = Nd4j.create(a, transA ? new long[] {k, m} : new long[] {m, k}, 'c');
        INDArray bArr = Nd4j.create(bw, transB ? new long[] {n, k} : new long[] {k, n}, 'c');
        INDArray cArr = Nd4j.create(DataType.FLOAT, m, n);
        ObjectNode r = EngineBench.JSON.createObjectNode();
        r.put("shape", shape[0] + "x" + shape[1] + "x" + shape[2]);
        r.put("product", name);
        r.put("m", m);
        r.put("k", k);
        r.put("n", n);
        r.put("trans_a", transA);
        r.put("trans_b", transB);
        try (OneDnnMatmul f32 = new OneDnnMatmul(false, m, k, n, a, transA, bw, transB);
                OneDnnMatmul bf16 = new OneDnnMatmul(true, m, k, n, a, transA, bw, transB)) {
            Map<String, Runnable> variants = new LinkedHashMap<>();
            variants.put(VARIANTS.get(0), () -> Tensors.gemm(aArr, transA, bArr, transB, cArr, 1.0, 0.0));
            variants.put(VARIANTS.get(1), f32::run);
            variants.put(VARIANTS.get(2), bf16::run);
            variants.put(VARIANTS.get(3), () -> {
                bf16.convertA();
                bf16.run();
            });
            Map<String, double[]> seconds = new LinkedHashMap<>();
            for (Map.Entry<String, Runnable> v : variants.entrySet()) {
                secondsPerCall(v.getValue(), Math.min(0.2, s.seconds())); // warm-up: JIT, kernels, caches
                seconds.put(v.getKey(), new double[s.repeats()]);
            }
            for (int i = 0; i < s.repeats(); i++) {
                for (Map.Entry<String, Runnable> v : variants.entrySet()) {
                    seconds.get(v.getKey())[i] = secondsPerCall(v.getValue(), s.seconds());
                }
            }
            double flops = 2.0 * m * n * k;
            ObjectNode gflops = r.putObject("gflops");
            for (Map.Entry<String, double[]> e : seconds.entrySet()) {
                gflops.put(e.getKey(), flops / Timing.median(e.getValue()) / 1e9);
            }
            r.put("bf16_with_conversion_over_f32_engine", gflops.get(VARIANTS.get(3)).asDouble()
                    / gflops.get(VARIANTS.get(0)).asDouble());
            float[] reference = cArr.data().asFloat();
            f32.run();
            bf16.convertA();
            bf16.run();
            r.put("error_f32_onednn", relativeError(f32.result(), reference));
            r.put("error_bf16", relativeError(bf16.result(), reference));
            r.put("onednn_f32_kernel", f32.impl());
            r.put("onednn_bf16_kernel", bf16.impl());
        }
        return r;
    }

    private static float[] gaussian(Random rnd, int size, double scale) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (rnd.nextGaussian() * scale);
        }
        return x;
    }

    private static double secondsPerCall(Runnable op, double seconds) {
        long t0 = System.nanoTime();
        long calls = 0;
        long elapsed;
        do {
            op.run();
            calls++;
            elapsed = System.nanoTime() - t0;
        } while (elapsed < seconds * 1e9);
        return elapsed * 1e-9 / calls;
    }

    /** max |c - reference| / max |reference|. */
    static double relativeError(float[] c, float[] reference) {
        double err = 0;
        double scale = 0;
        for (int i = 0; i < c.length; i++) {
            err = Math.max(err, Math.abs(c[i] - reference[i]));
            scale = Math.max(scale, Math.abs(reference[i]));
        }
        return scale == 0 ? err : err / scale;
    }

    /** The CPU line, oneDNN's instruction set, then one row per (shape, product). */
    static String table(JsonNode report) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n%s%noneDNN 2.5.2 ISA: %s; %d thread(s); GFLOP/s (median):%n",
                CpuInfo.line(report.get("cpu")), report.get("onednn_isa").asText(), report.get("threads").asInt()));
        String fmt = "%-12s %-16s %-16s %10s %10s %11s %11s %9s %10s%n";
        b.append(String.format(Locale.ROOT, fmt, "BxIxG", "product", "m x k x n", VARIANTS.get(0), VARIANTS.get(1),
                VARIANTS.get(2), VARIANTS.get(3), "bf16/f32", "bf16 error"));
        for (JsonNode r : report.get("records")) {
            JsonNode g = r.get("gflops");
            Object[] row = new Object[9];
            row[0] = r.get("shape").asText();
            row[1] = r.get("product").asText();
            row[2] = r.get("m").asInt() + "x" + r.get("k").asInt() + "x" + r.get("n").asInt();
            for (int i = 0; i < VARIANTS.size(); i++) {
                row[3 + i] = String.format(Locale.ROOT, "%.1f", g.get(VARIANTS.get(i)).asDouble());
            }
            row[7] = String.format(Locale.ROOT, "%.2f", r.get("bf16_with_conversion_over_f32_engine").asDouble());
            row[8] = String.format(Locale.ROOT, "%.1e", r.get("error_bf16").asDouble());
            b.append(String.format(Locale.ROOT, fmt, row));
        }
        b.append("bf16/f32 = bf16 + conv over f32 engine; kernels: ").append(Arrays.toString(kernels(report)))
                .append('\n');
        return b.toString();
    }

    private static String[] kernels(JsonNode report) {
        JsonNode first = report.get("records").get(0);
        return new String[] {"f32 " + first.get("onednn_f32_kernel").asText(),
            "bf16 " + first.get("onednn_bf16_kernel").asText()};
    }
}
