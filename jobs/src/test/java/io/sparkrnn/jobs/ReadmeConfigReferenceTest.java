package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** Keeps the README's config reference true: one row per key with its current default. */
class ReadmeConfigReferenceTest {
    @Test
    void everyKeyIsDocumentedWithItsDefault() throws Exception {
        Path p = Paths.get("").toAbsolutePath();
        while (!Files.exists(p.resolve("README.md")) || !Files.exists(p.resolve("jobs"))) {
            p = p.getParent();
        }
        String readme = Files.readString(p.resolve("README.md"));
        for (ConfigKey k : ConfigSchema.KEYS) {
            String row = "| `" + k.path() + "` | `" + k.defaultValue() + "` |";
            assertTrue(readme.contains(row), "README.md lacks the row " + row);
        }
    }
}
