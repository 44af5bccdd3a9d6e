package io.sparkrnn.engine.tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The text of Linux's {@code /proc/cpuinfo}, read as its first processor describes itself: the first value of each
 * {@code key : value} line (keys lower-cased, both sides stripped). Used to choose kernels ({@link BlasKernels}) and
 * to name the CPU beside benchmark figures.
 */
public final class CpuInfoText {
    private final Map<String, String> fields = new LinkedHashMap<>();

    /** Reads {@code text}, a /proc/cpuinfo's content. */
    public CpuInfoText(String text) {
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.putIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).strip());
            }
        }
    }

    /** The first value of {@code key} (e.g. {@code model name}, {@code vendor_id}), or "" when there is none. */
    public String field(String key) {
        return fields.getOrDefault(key, "");
    }

    /** The first processor's {@code flags}, or an empty set when there is no such line. */
    public Set<String> flags() {
        String f = field("flags");
        return f.isEmpty() ? Set.of() : Arrays.stream(f.split("\\s+")).collect(Collectors.toUnmodifiableSet());
    }
}
