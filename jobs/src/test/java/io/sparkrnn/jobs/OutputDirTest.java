package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.jobs.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run killed while it wrote the model left behind is mended by the next run; nothing complete is lost. */
class OutputDirTest {

    @Test
    void aModelBeingBuiltWhenTheRunWasKilledIsRemoved(@TempDir Path out) throws IOException {
        Files.createDirectories(out.resolve(".model-123.tmp"));
        Files.writeString(out.resolve(".model-123.tmp/weights.safetensors"), "half");
        OutputDir.prepare(Location.of(out.toString(), "output.dir"), false);
        assertFalse(Files.exists(out.resolve(".model-123.tmp")));
        assertFalse(Files.exists(out.resolve("model")));
    }

    @Test
    void aKillBetweenTheTwoRenamesGivesTheReplacedModelBack(@TempDir Path out) throws IOException {
        // the old model was renamed away, the new one not yet into place
        Files.createDirectories(out.resolve(".model-replaced-7.tmp"));
        Files.writeString(out.resolve(".model-replaced-7.tmp/model.json"), "old model");
        Files.createDirectories(out.resolve(".model-8.tmp"));
        ConfigException e = assertThrows(ConfigException.class, () -> OutputDir.prepare(Location.of(out.toString(), "output.dir"), false));
        assertTrue(e.getMessage().contains("already holds a trained model"), e.getMessage());
        assertEquals("old model", Files.readString(out.resolve("model/model.json")));
        assertFalse(Files.exists(out.resolve(".model-replaced-7.tmp")));
        assertFalse(Files.exists(out.resolve(".model-8.tmp")));
    }

    @Test
    void aReplacedModelLeftBesideTheNewOneIsRemoved(@TempDir Path out) throws IOException {
        Files.createDirectories(out.resolve("model"));
        Files.writeString(out.resolve("model/model.json"), "new model");
        Files.createDirectories(out.resolve(".model-replaced-7.tmp"));
        OutputDir.prepare(Location.of(out.toString(), "output.dir"), true);
        assertEquals("new model", Files.readString(out.resolve("model/model.json")));
        assertFalse(Files.exists(out.resolve(".model-replaced-7.tmp")));
    }

    @Test
    void writingAModelTwiceLeavesOnlyTheNewOne(@TempDir Path out) throws IOException {
        OutputDir dir = OutputDir.prepare(Location.of(out.toString(), "output.dir"), true);
        dir.writeModel((d, p) -> d.write("model.json", o -> o.write("first".getBytes())), java.util.Map.of(), "");
        dir.writeModel((d, p) -> d.write("model.json", o -> o.write("second".getBytes())), java.util.Map.of(), "");
        assertEquals("second", Files.readString(out.resolve("model/model.json")));
        try (var list = Files.list(out)) {
            assertEquals(java.util.List.of("model"), list.map(p -> p.getFileName().toString()).toList());
        }
    }
}
