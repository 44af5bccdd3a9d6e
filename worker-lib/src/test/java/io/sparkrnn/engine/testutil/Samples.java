package io.sparkrnn.engine.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the real data samples shipped in the repository under {@code data/samples}. */
public final class Samples {
    private Samples() {
    }

    /** {@code data/samples/<relative>}, found by walking up from the working directory. */
    public static Path path(String relative) {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            Path p = dir.resolve("data").resolve("samples").resolve(relative);
            if (Files.exists(p)) {
                return p;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("data/samples/" + relative + " not found above " + Paths.get("").toAbsolutePath());
    }

    public static String text(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path(relative), e);
        }
    }
}
