package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Shared steps of the end-to-end task tests: paths of the repo, running commands, reading their outputs. */
final class TaskTesting {
    private TaskTesting() {
    }

    static Path root() {
        return Path.of(MainTest.conf()).getParent().getParent();
    }

    static String path(String relative) {
        return root().resolve(relative).toString();
    }

    /** Runs a command and requires exit code 0. */
    static Commands.Run ok(String... args) {
        Commands.Run r = MainTest.run(args);
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
        return r;
    }

    /**
     * {@code evaluate <out> --part <part>} on the model's own training corpus (data.train of its config.conf): the
     * held-out part as training drew it.
     */
    static JsonNode heldOut(Path out, String part) {
        return printed(ok("evaluate", out.toString(), "--part", part, "--master", "local[2]"));
    }

    /** Requires exit code 2 and a one-line reason holding {@code expected}. */
    static void configError(Commands.Run r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }

    static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode jsonFile(Path p) throws IOException {
        return json(Files.readString(p));
    }

    /** The JSON object printed by evaluate (its last output line). */
    static JsonNode printed(Commands.Run r) {
        List<String> lines = r.out().strip().lines().toList();
        return json(lines.get(lines.size() - 1));
    }

    /** The rows of a TSV prediction folder (all part files), split at TABs. */
    static List<String[]> tsvRows(Path dir) throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (Stream<Path> parts = Files.list(dir)) {
            for (Path p : parts.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
                for (String line : Files.readAllLines(p)) {
                    rows.add(line.split("\t", -1));
                }
            }
        }
        return rows;
    }

    /** The train command with the config and overrides. */
    static String[] train(String conf, Path out, String... sets) {
        List<String> a = new ArrayList<>(List.of("train", path(conf), "--set", "spark.master=local[2]", "--set",
                "output.dir=" + out));
        for (String s : sets) {
            a.add("--set");
            a.add(s);
        }
        return a.toArray(new String[0]);
    }
}
