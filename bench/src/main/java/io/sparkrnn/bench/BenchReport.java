package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * What the reports of the bench commands share: the machine's load average before and after the runs (other work
 * on the machine skews every figure), and the report written as indented JSON to {@code --json}.
 */
final class BenchReport {
    private BenchReport() {
    }

    /**
     * A report of benchmark {@code name} with the load average before the runs and the CPU ({@link CpuInfo});
     * prints {@code bench <name>: load average <l>, <machine>} and the CPU line.
     */
    static ObjectNode begin(String name, String machine, PrintStream out) {
        ObjectNode report = EngineBench.JSON.createObjectNode();
        report.put("benchmark", name);
        String load = loadAverage();
        report.put("load_average_before", load);
        CpuInfo cpu = CpuInfo.current();
        report.set("cpu", cpu.json());
        out.printf(Locale.ROOT, "bench %s: load average %s, %s%n%s%n", name, load, machine, cpu.line());
        return report;
    }

    /** Adds the load average after the runs to {@code report} and prints it beside the one before. */
    static void end(ObjectNode report, PrintStream out) {
        report.put("load_average_after", loadAverage());
        out.printf(Locale.ROOT, "load average before %s, after %s%n", report.get("load_average_before").asText(),
                report.get("load_average_after").asText());
    }

    /** Writes {@code report} to the file {@code json} (its folders made) and says so; nothing when it is null. */
    static void write(JsonNode report, String json, PrintStream out) {
        if (json == null) {
            return;
        }
        Path file = Paths.get(json);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            EngineBench.JSON.writeValue(file.toFile(), report);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        out.println("wrote " + file);
    }

    /** Prints the head of a Markdown table of right-aligned {@code columns}: their names, then the alignment row. */
    static void tableHeader(PrintStream out, String... columns) {
        out.println("| " + String.join(" | ", columns) + " |");
        out.println("|" + " ---: |".repeat(columns.length));
    }

    /** The 1, 5 and 15 minute load averages ({@code /proc/loadavg}), or the JVM's one-minute figure. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage());
        }
    }
}
