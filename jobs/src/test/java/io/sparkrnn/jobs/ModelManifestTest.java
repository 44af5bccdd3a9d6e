package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model folder's manifest names the file that was damaged, added or removed after the model was written. */
class ModelManifestTest {

    private static Path model(Path out) throws IOException {
        OutputDir dir = OutputDir.prepare(Location.of(out.toString(), "output.dir"), false);
        dir.writeModel((d, p) -> {
            d.write("model.json", o -> o.write("{\"spec\": 1}".getBytes()));
            d.write("weights.safetensors", o -> o.write(new byte[] {1, 2, 3, 4}));
        }, Map.of("vocab-chars.txt", "a\nb\nc\n".getBytes()), "task = \"lm\"\n");
        return out.resolve("model");
    }

    @Test
    void theWrittenModelListsEveryFileAndVerifies(@TempDir Path out) throws IOException {
        Path m = model(out);
        List<String> lines = Files.readAllLines(m.resolve(ModelManifest.NAME));
        assertEquals(List.of("config.conf", "model.json", "vocab-chars.txt", "weights.safetensors"),
                lines.stream().map(l -> l.substring(66)).toList());
        assertTrue(ModelManifest.verify(Location.of(m.toString(), "model")));
    }

    @Test
    void aFileCutShortIsNamed(@TempDir Path out) throws IOException {
        Path m = model(out);
        Files.writeString(m.resolve("vocab-chars.txt"), "a\n");
        InputException e = assertThrows(InputException.class, () -> ModelManifest.verify(Location.of(m.toString(), "model")));
        assertEquals(m.resolve("vocab-chars.txt") + " does not match MANIFEST.sha256 (damaged or edited since the "
                + "model was written)", e.getMessage());
    }

    @Test
    void aFileAddedOrRemovedIsNamed(@TempDir Path out) throws IOException {
        Path m = model(out);
        Files.writeString(m.resolve("extra.conf"), "include \"x\"");
        InputException added = assertThrows(InputException.class, () -> ModelManifest.verify(Location.of(m.toString(), "model")));
        assertTrue(added.getMessage().contains("extra.conf is not in MANIFEST.sha256"), added.getMessage());
        Files.delete(m.resolve("extra.conf"));
        Files.delete(m.resolve("config.conf"));
        InputException removed = assertThrows(InputException.class, () -> ModelManifest.verify(Location.of(m.toString(), "model")));
        assertTrue(removed.getMessage().contains("lacks config.conf"), removed.getMessage());
    }

    @Test
    void aFolderFromBeforeManifestsHasNone(@TempDir Path out) throws IOException {
        Path m = model(out);
        Files.delete(m.resolve(ModelManifest.NAME));
        assertFalse(ModelManifest.verify(Location.of(m.toString(), "model")));
    }
}
