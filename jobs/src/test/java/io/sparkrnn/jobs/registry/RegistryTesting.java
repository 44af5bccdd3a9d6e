package io.sparkrnn.jobs.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.jobs.Commands;
import io.sparkrnn.jobs.Commands.Run;
import io.sparkrnn.jobs.TinyConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Shared steps of the registry tests: a small trained model, running commands, snapshots of folders. */
final class RegistryTesting {
    private RegistryTesting() {
    }

    static Run run(String... args) {
        return Commands.run(args);
    }

    static Run ok(String... args) {
        Run r = run(args);
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
        return r;
    }

    static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path repo() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("conf/char-lm.conf"))) {
            p = p.getParent();
        }
        return p;
    }

    /**
     * Trains the tiny char LM ({@link TinyConfigs#LM}) for one round on {@code data} (a copy of the first 20 kB of
     * the Moby Dick sample made by the caller) into {@code out}, with {@code more} arguments; returns {@code out}.
     */
    static Path train(Path data, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("--set", "data.train=" + data));
        a.addAll(List.of(more));
        ok(TinyConfigs.LM.train(out, a.toArray(new String[0])));
        return out;
    }

    /** The first {@code bytes} of the Moby Dick sample, to a line end, written to {@code to}. */
    static Path mobyHead(Path to, int bytes) throws IOException {
        byte[] moby = Files.readAllBytes(repo().resolve("data/samples/moby-dick/moby-dick.txt"));
        int cut = bytes;
        while (moby[cut - 1] != '\n') {
            cut++;
        }
        Files.write(to, java.util.Arrays.copyOf(moby, cut));
        return to;
    }

    /** Every file under {@code dir} by relative path, with the sha256 of its bytes. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), Hashes.sha256(Files.readAllBytes(p)));
            }
        }
        return m;
    }
}
