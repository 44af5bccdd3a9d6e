package io.sparkrnn.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips of every preset through model.json, and the messages of refused documents. */
class SequenceSpecJsonTest {
    static final List<SequenceSpec> PRESETS = List.of(
            SequenceSpec.languageModel(65, 32, CellType.LSTM, 256, 2, 0.25),
            SequenceSpec.tagger(1000, 50, 0, CellType.GRU, 64, 1, true, 0.0, 17),
            SequenceSpec.classifier(500, 16, 0, CellType.RNN_TANH, 32, 3, true, 0.1, SequenceSpec.Pooling.MEAN, 4),
            SequenceSpec.classifier(500, 16, 1, CellType.LSTM, 32, 1, false, 0.0, SequenceSpec.Pooling.LAST, 2),
            SequenceSpec.regressor(7, CellType.GRU, 24, 2, false, 0.3, SequenceSpec.Pooling.LAST, 3));

    @TempDir
    Path dir;

    @Test
    void everyPresetRoundTripsThroughAFile() throws IOException {
        for (SequenceSpec spec : PRESETS) {
            Path f = dir.resolve("model.json");
            Files.writeString(f, spec.toJson(Map.of("git", "abc123")));
            ModelJson.Document d = ModelJson.read(f);
            assertEquals(spec, d.spec());
            assertEquals(Map.of("git", "abc123"), d.provenance());
        }
    }

    @Test
    void ioDropoutRoundTripsAndAnOlderDocumentWithoutItReadsZero() {
        SequenceSpec spec = SequenceSpec.tagger(50, 8, 0, CellType.LSTM, 16, 1, true, 0.0, 5).withIoDropout(0.35);
        String json = spec.toJson(Map.of());
        assertEquals(spec, ModelJson.parse(json, "m.json").spec());
        String older = json.replaceAll(",\\s*\"ioDropout\"\\s*:\\s*0\\.35", "");
        assertTrue(!older.contains("ioDropout"), older);
        assertEquals(spec.withIoDropout(0.0), ModelJson.parse(older, "m.json").spec());
    }

    @Test
    void enumsAreLowerCaseAndTheHeaderIsVersioned() {
        String json = PRESETS.get(2).toJson(Map.of());
        assertTrue(json.contains("\"format\" : \"spark-rnn-model\""), json);
        assertTrue(json.contains("\"formatVersion\" : 1"), json);
        assertTrue(json.contains("\"kind\" : \"sequence\""), json);
        assertTrue(json.contains("\"cell\" : \"rnn_tanh\""), json);
        assertTrue(json.contains("\"pooling\" : \"mean\""), json);
        assertTrue(json.contains("\"loss\" : \"cross_entropy\""), json);
        assertTrue(PRESETS.get(0).toJson(Map.of()).contains("\"pooling\" : null"));
    }

    @Test
    void anotherVersionIsRefusedNamingTheFile() throws IOException {
        Path f = dir.resolve("model.json");
        Files.writeString(f, PRESETS.get(0).toJson(Map.of()).replace("\"formatVersion\" : 1",
                "\"formatVersion\" : 2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelJson.read(f));
        assertEquals(f + ": unsupported formatVersion 2; this build reads 1", e.getMessage());
    }

    @Test
    void anotherOrMissingFormatIsRefused() {
        String json = PRESETS.get(0).toJson(Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("spark-rnn-model", "keras"), "m.json"));
        assertTrue(e.getMessage().startsWith("m.json: "), e.getMessage());
        assertTrue(e.getMessage().contains("found \"keras\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"format\" : \"spark-rnn-model\",", ""), "m.json"));
        assertTrue(e.getMessage().contains("found none"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"sequence\"", "\"encoder_decoder\""), "m.json"));
        assertTrue(e.getMessage().contains("unsupported model kind \"encoder_decoder\""), e.getMessage());
    }

    @Test
    void unknownKeyIsAnErrorNamingTheNearestKnownKey() {
        String json = PRESETS.get(0).toJson(Map.of()).replace("\"hiddenSize\"", "\"hidenSize\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json, "m.json"));
        assertTrue(e.getMessage().startsWith("m.json: unknown key 'spec.hidenSize'; did you mean 'spec.hiddenSize'?"),
                e.getMessage());
        String top = PRESETS.get(0).toJson(Map.of()).replace("\"kind\"", "\"knd\"");
        e = assertThrows(IllegalArgumentException.class, () -> ModelJson.parse(top, "m.json"));
        assertTrue(e.getMessage().contains("unknown key 'knd'; did you mean 'kind'?"), e.getMessage());
    }

    @Test
    void wrongTypesAndValuesNameTheKeyAndTheExpectation() {
        String json = PRESETS.get(0).toJson(Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"numLayers\" : 2", "\"numLayers\" : \"two\""), "m.json"));
        assertEquals("m.json: spec.numLayers: expected a 32-bit integer, found string \"two\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"lstm\"", "\"lstn\""), "m.json"));
        assertEquals("m.json: spec.cell: expected one of rnn_tanh, lstm, gru, found \"lstn\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"bidirectional\" : false", "\"bidirectional\" : 0"), "m.json"));
        assertTrue(e.getMessage().contains("spec.bidirectional: expected true or false, found number 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"hiddenSize\" : 256", "\"hiddenSize\" : 0"), "m.json"));
        assertEquals("m.json: invalid spec: hiddenSize must be positive, found 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"dropout\" : 0.25,", ""), "m.json"));
        assertEquals("m.json: spec.dropout is missing", e.getMessage());
    }

    @Test
    void malformedJsonNamesTheFileAndThePosition() throws IOException {
        Path f = dir.resolve("model.json");
        Files.writeString(f, "{\"format\": \"spark-rnn-model\",\n \"formatVersion\": 1,,}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelJson.read(f));
        assertTrue(e.getMessage().startsWith(f + ": not valid JSON at line 2"), e.getMessage());
        Files.writeString(f, "{\"format\": 1, \"format\": 2}");
        e = assertThrows(IllegalArgumentException.class, () -> ModelJson.read(f));
        assertTrue(e.getMessage().contains("Duplicate field 'format'"), e.getMessage());
    }
}
