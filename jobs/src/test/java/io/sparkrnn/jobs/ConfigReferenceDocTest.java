package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.jobs.config.ConfigKey;
import io.sparkrnn.jobs.config.ConfigSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the config reference in docs/config.md true: one row per key of {@link ConfigSchema} with its current
 * default and allowed range, and no row for a key the schema does not have.
 */
class ConfigReferenceDocTest {
    private static final Pattern KEY_ROW = Pattern.compile("(?m)^\\| `([a-z0-9.-]+)` \\|");

    @Test
    void everyKeyIsDocumentedWithItsDefaultAndRange() throws Exception {
        String doc = keysSection();
        List<String> missing = new ArrayList<>();
        for (ConfigKey k : ConfigSchema.KEYS) {
            String row = "| `" + k.path() + "` | `" + k.defaultValue() + "` | " + k.range().replace("|", "\\|")
                    + " |";
            if (!doc.contains(row)) {
                missing.add(row);
            }
        }
        assertTrue(missing.isEmpty(), "docs/config.md lacks the rows (key, default, allowed):\n"
                + String.join("\n", missing));
    }

    @Test
    void documentsNoKeyTheSchemaLacks() throws Exception {
        String doc = keysSection();
        Set<String> known = ConfigSchema.byPath().keySet();
        List<String> stale = new ArrayList<>();
        Matcher m = KEY_ROW.matcher(doc);
        while (m.find()) {
            if (!known.contains(m.group(1))) {
                stale.add(m.group(1));
            }
        }
        assertEquals(List.of(), stale, "docs/config.md documents keys that ConfigSchema does not have");
        assertEquals(known.size(), countRows(doc), "docs/config.md should have exactly one row per key");
    }

    private static long countRows(String doc) {
        return KEY_ROW.matcher(doc).results().count();
    }

    /** The "## Keys" section of docs/config.md: from its heading to the next level-2 heading or the end. */
    private static String keysSection() throws Exception {
        String doc = Files.readString(root().resolve("docs/config.md"));
        int start = doc.indexOf("\n## Keys\n");
        assertTrue(start >= 0, "docs/config.md has no '## Keys' section");
        int end = doc.indexOf("\n## ", start + 1);
        return doc.substring(start, end < 0 ? doc.length() : end);
    }

    /** The repository root: the nearest directory up from the module that holds the parent pom and README.md. */
    static Path root() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !(Files.exists(p.resolve("pom.xml")) && Files.exists(p.resolve("README.md")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no directory with pom.xml and README.md above "
                    + Paths.get("").toAbsolutePath());
        }
        return p;
    }
}
