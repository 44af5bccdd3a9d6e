package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.tensor.CpuInfoText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The CPU a benchmark ran on: its model name and whether it has the instruction sets that decide bf16 matrix-product
 * speed ({@link #FLAGS}: AVX-512, AVX-512 BF16, AMX tiles, AMX BF16), read from {@code /proc/cpuinfo}. Where that
 * file is missing (not Linux) or says nothing, model and flags are "unknown" rather than a guess.
 *
 * @param model the first {@code model name} of /proc/cpuinfo, or "unknown"
 * @param flags each of {@link #FLAGS} to whether the first processor lists it; empty when unknown
 */
record CpuInfo(String model, Map<String, Boolean> flags) {
    /** The flags reported, in this order. */
    static final List<String> FLAGS = List.of("avx512f", "avx512_bf16", "amx_tile", "amx_bf16");
    static final String UNKNOWN = "unknown";

    CpuInfo {
        flags = Map.copyOf(flags);
    }

    /** This machine's CPU; unknown when /proc/cpuinfo cannot be read. */
    static CpuInfo current() {
        Path file = Path.of("/proc/cpuinfo");
        try {
            return Files.isReadable(file) ? parse(Files.readString(file, StandardCharsets.UTF_8)) : unknown();
        } catch (IOException | RuntimeException e) {
            return unknown();
        }
    }

    static CpuInfo unknown() {
        return new CpuInfo(UNKNOWN, Map.of());
    }

    /**
     * The text of a /proc/cpuinfo: the first processor's {@code model name} and {@code flags} lines (x86; other
     * architectures name these lines differently, and then model or flags stay unknown).
     */
    static CpuInfo parse(String cpuinfo) {
        CpuInfoText text = new CpuInfoText(cpuinfo);
        String model = text.field("model name").isEmpty() ? UNKNOWN : text.field("model name");
        Set<String> present = text.flags();
        if (present.isEmpty()) {
            return new CpuInfo(model, Map.of());
        }
        Map<String, Boolean> flags = new LinkedHashMap<>();
        for (String f : FLAGS) {
            flags.put(f, present.contains(f));
        }
        return new CpuInfo(model, flags);
    }

    /** "yes", "no" or "unknown" for one of {@link #FLAGS}. */
    String flag(String name) {
        Boolean v = flags.get(name);
        return v == null ? UNKNOWN : v ? "yes" : "no";
    }

    /** {@code CPU: <model>; avx512f yes, avx512_bf16 yes, amx_tile no, amx_bf16 no}. */
    String line() {
        return "CPU: " + model + "; " + FLAGS.stream().map(f -> f + " " + flag(f)).collect(Collectors.joining(", "));
    }

    /** The model and the four flags ("yes", "no", "unknown") as a JSON object for the reports. */
    ObjectNode json() {
        ObjectNode o = EngineBench.JSON.createObjectNode();
        o.put("model", model);
        for (String f : FLAGS) {
            o.put(f, flag(f));
        }
        return o;
    }

    /** The inverse of {@link #json()}: the line of a report's {@code cpu} object (unknown when it has none). */
    static String line(JsonNode cpu) {
        if (cpu == null || !cpu.isObject()) {
            return unknown().line();
        }
        Map<String, Boolean> flags = new LinkedHashMap<>();
        for (String f : FLAGS) {
            String v = cpu.path(f).asText(UNKNOWN);
            if (!v.equals(UNKNOWN)) {
                flags.put(f, v.equals("yes"));
            }
        }
        return new CpuInfo(cpu.path("model").asText(UNKNOWN), flags).line();
    }
}
