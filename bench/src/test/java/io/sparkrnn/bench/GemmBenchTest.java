package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GemmBenchTest {
    @TempDir
    Path tmp;

    /**
     * One tiny shape end to end in the child JVM: the three products of the projection with their transposes, every
     * variant timed; oneDNN's float32 product equals the engine's to rounding, its bf16 one is off by bf16's rounding
     * of the operands (about 2^-9 relative per operand; here well under 1e-2 of the largest entry) and not exact.
     */
    @Test
    void tinyShapeTimesEveryProductAndVariant() throws Exception {
        Path json = tmp.resolve("gemm.json");
        EngineBenchTest.Run r = EngineBenchTest.run("gemm", "--shapes", "4x16x32", "--seconds", "0.01",
                "--repeats", "1", "--json", json.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        List<String> seen = new ArrayList<>();
        for (JsonNode p : report.get("records")) {
            seen.add(p.get("product").asText() + " " + p.get("m").asInt() + "x" + p.get("k").asInt() + "x"
                    + p.get("n").asInt() + " " + p.get("trans_a").asBoolean() + " " + p.get("trans_b").asBoolean());
            for (String v : GemmBench.VARIANTS) {
                double g = p.get("gflops").get(v).asDouble();
                assertTrue(g > 0 && Double.isFinite(g), v + " " + p);
            }
            assertTrue(p.get("error_f32_onednn").asDouble() < 1e-5, p.toString());
        }
        assertEquals(List.of("forward 4x16x32 false false", "input gradient 4x32x16 false true",
                "weight gradient 16x4x32 true false"), seen);
        assertTrue(r.out().contains(CpuInfo.current().line() + "\noneDNN 2.5.2 ISA: "), r.out());
        assertTrue(r.out().contains("\n4x16x32      weight gradient  16x4x32 "), r.out());

        CpuInfo cpu = CpuInfo.current();
        Assumptions.assumeTrue(cpu.flag("avx512_bf16").equals("yes") || cpu.flag("amx_bf16").equals("yes"),
                "no bf16 units: oneDNN may not offer a bf16 matmul here");
        for (JsonNode p : report.get("records")) {
            double e = p.get("error_bf16").asDouble();
            assertTrue(e > 0 && e < 1e-2, "bf16 error " + e + " in " + p);
        }
    }

    /** Round to nearest, ties to even, on the 16 bits kept; NaN stays NaN. */
    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, OneDnnMatmul.bf16(1.0f));
        assertEquals((short) 0xC000, OneDnnMatmul.bf16(-2.0f));
        assertEquals((short) 0x3F80, OneDnnMatmul.bf16(1.00390625f)); // 1 + 2^-8: tie, to even 1.0
        assertEquals((short) 0x3F82, OneDnnMatmul.bf16(1.01171875f)); // 1 + 3 * 2^-8: tie, to even 1 + 2^-6
        assertEquals((short) 0x3F81, OneDnnMatmul.bf16(1.0048828f)); // just above the tie: up
        float back = Float.intBitsToFloat(OneDnnMatmul.bf16(Float.NaN) << 16);
        assertTrue(Float.isNaN(back));
    }

    @Test
    void badShapesAreConfigErrors() {
        EngineBenchTest.assertConfigError(EngineBenchTest.run("gemm", "--shapes", "32x512"),
                "--shapes expects BxIxG with whole numbers 1..16384, e.g. 32x512x2048, found '32x512'");
        EngineBenchTest.assertConfigError(EngineBenchTest.run("gemm", "--shapes", "32x0x8"), "found '32x0x8'");
    }
}
