package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CpuInfoTest {
    /** Two processors of a Sapphire Rapids (AMX): the first processor's model and flags. */
    private static final String SAPPHIRE_RAPIDS = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            model name\t: Intel(R) Xeon(R) Platinum 8480+
            flags\t\t: fpu vme sse sse2 avx2 avx512f avx512dq avx512_bf16 amx_bf16 avx512_fp16 amx_tile amx_int8
            bogomips\t: 4000.00

            processor\t: 1
            vendor_id\t: GenuineIntel
            model name\t: Intel(R) Xeon(R) Platinum 8480+
            flags\t\t: fpu vme sse sse2 avx2 avx512f avx512dq avx512_bf16 amx_bf16 avx512_fp16 amx_tile amx_int8
            """;

    /** A Zen 4: AVX-512 with BF16 dot products, no AMX; avx512_bf16 must not be mistaken for amx_bf16. */
    private static final String ZEN4 = """
            processor\t: 0
            model name\t: AMD EPYC 9654 96-Core Processor
            flags\t\t: fpu sse2 avx2 avx512f avx512dq avx512_bf16 avx512_vnni
            """;

    @Test
    void readsTheModelAndTheFourFlags() {
        CpuInfo spr = CpuInfo.parse(SAPPHIRE_RAPIDS);
        assertEquals("Intel(R) Xeon(R) Platinum 8480+", spr.model());
        assertEquals("CPU: Intel(R) Xeon(R) Platinum 8480+; avx512f yes, avx512_bf16 yes, amx_tile yes, amx_bf16 yes",
                spr.line());
        assertEquals("CPU: AMD EPYC 9654 96-Core Processor; avx512f yes, avx512_bf16 yes, amx_tile no, amx_bf16 no",
                CpuInfo.parse(ZEN4).line());
        assertEquals("CPU: Old; avx512f no, avx512_bf16 no, amx_tile no, amx_bf16 no",
                CpuInfo.parse("model name : Old\nflags : fpu sse2 avx2 avx512fx\n").line());
    }

    /** No /proc/cpuinfo (not Linux) or one without these lines (e.g. aarch64): unknown, not "no". */
    @Test
    void missingLinesAreUnknown() {
        String unknown = "CPU: unknown; avx512f unknown, avx512_bf16 unknown, amx_tile unknown, amx_bf16 unknown";
        assertEquals(unknown, CpuInfo.unknown().line());
        assertEquals(unknown, CpuInfo.parse("processor : 0\nBogoMIPS : 50.00\nFeatures : fp asimd\n").line());
        assertEquals("CPU: Neoverse; avx512f unknown, avx512_bf16 unknown, amx_tile unknown, amx_bf16 unknown",
                CpuInfo.parse("model name : Neoverse\n").line());
        assertEquals(unknown, CpuInfo.line(null));
    }

    /** The report's cpu object gives back the same line. */
    @Test
    void jsonRoundTrips() {
        for (CpuInfo c : new CpuInfo[] {CpuInfo.parse(SAPPHIRE_RAPIDS), CpuInfo.parse(ZEN4), CpuInfo.unknown()}) {
            assertEquals(c.line(), CpuInfo.line(c.json()));
        }
        assertEquals("yes", CpuInfo.parse(ZEN4).json().get("avx512_bf16").asText());
        assertEquals("no", CpuInfo.parse(ZEN4).json().get("amx_bf16").asText());
    }
}
