package io.sparkrnn.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "kind": "seq2seq" model.json document: round trips, strict reading, each kind read as its own family. */
class Seq2SeqSpecJsonTest {
    static final List<Seq2SeqSpec> VARIANTS = List.of(
            Seq2SeqSpec.of(30, 42, 8, CellType.LSTM, 16, 1, false, Attention.NONE, false),
            Seq2SeqSpec.of(30, 42, 8, CellType.GRU, 16, 2, false, Attention.DOT, true),
            Seq2SeqSpec.of(30, 42, 8, CellType.LSTM, 16, 3, true, Attention.DOT, false),
            Seq2SeqSpec.of(30, 42, 8, CellType.RNN_TANH, 16, 2, true, Attention.GENERAL, true),
            // differing sizes everywhere, dropout, no padding, a fractional ratio
            new Seq2SeqSpec(11, 13, 5, 7, CellType.GRU, 6, 2, true, 9, 3, 0.25, Attention.GENERAL, false, -1, 4, 5,
                    77, 1.5),
            new Seq2SeqSpec(11, 13, 5, 7, CellType.LSTM, 6, 1, false, 9, 2, 0.1, Attention.NONE, false, 3, 0, 12,
                    10, 3.25));

    @TempDir
    Path dir;

    @Test
    void everyVariantRoundTripsThroughAFileWithProvenance() throws IOException {
        Map<String, String> prov = Map.of("data", "samples/cmudict", "config", "beam=4");
        for (Seq2SeqSpec s : VARIANTS) {
            String json = s.toJson(prov);
            Path f = dir.resolve("model.json");
            Files.writeString(f, json);
            ModelJson.Document d = ModelJson.read(f);
            assertEquals(s, d.spec(), json);
            assertEquals(prov, d.provenance());
            assertEquals(s, ModelJson.parse(s.toJson(Map.of()), "m.json").spec());
            assertEquals(ModelJson.KIND_SEQ2SEQ, d.spec().kind());
            assertEquals(json, d.spec().toJson(d.provenance()));
        }
    }

    @Test
    void headerAndEnumsAreWrittenLikeTheSequenceDocuments() {
        String json = VARIANTS.get(3).toJson(Map.of());
        assertTrue(json.contains("\"format\" : \"spark-rnn-model\""), json);
        assertTrue(json.contains("\"formatVersion\" : 1"), json);
        assertTrue(json.contains("\"kind\" : \"seq2seq\""), json);
        assertTrue(json.contains("\"attention\" : \"general\""), json);
        assertTrue(json.contains("\"cell\" : \"rnn_tanh\""), json);
        assertEquals(ModelJson.KIND_SEQUENCE, ModelJson.parse(SequenceSpec.languageModel(5, 2, CellType.GRU, 3, 1, 0.0)
                .toJson(Map.of()), "x").spec().kind());
    }

    @Test
    void eachKindReadsAsItsOwnFamilyAndAnUnknownKindIsRefused() {
        String s2s = VARIANTS.get(1).toJson(Map.of());
        assertEquals(VARIANTS.get(1), ModelJson.parse(s2s, "m.json").spec());

        SequenceSpec lm = SequenceSpec.languageModel(5, 2, CellType.GRU, 3, 1, 0.0);
        assertEquals(lm, ModelJson.parse(lm.toJson(Map.of()), "m.json").spec());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(s2s.replace("\"seq2seq\"", "\"seq2sec\""), "m.json"));
        assertTrue(e.getMessage().startsWith("m.json: unsupported model kind \"seq2sec\""), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean \"seq2seq\"?"), e.getMessage());
    }

    @Test
    void formatAndVersionAreChecked() {
        String json = VARIANTS.get(0).toJson(Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("spark-rnn-model", "onnx"), "m.json"));
        assertTrue(e.getMessage().startsWith("m.json: not a spark-rnn model file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"formatVersion\" : 1", "\"formatVersion\" : 2"), "m.json"));
        assertEquals("m.json: unsupported formatVersion 2; this build reads 1", e.getMessage());
    }

    @Test
    void unknownKeysNameTheNearestKnownKey() {
        String json = VARIANTS.get(0).toJson(Map.of()).replace("\"encoderHidden\"", "\"encoderHiden\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json, "m.json"));
        assertTrue(e.getMessage().startsWith("m.json: unknown key 'spec.encoderHiden'; did you mean "
                + "'spec.encoderHidden'?"), e.getMessage());
        String top = VARIANTS.get(0).toJson(Map.of()).replace("\"provenance\"", "\"x\"")
                .replace("\"spec\"", "\"specs\"");
        e = assertThrows(IllegalArgumentException.class, () -> ModelJson.parse(top, "m.json"));
        assertTrue(e.getMessage().contains("unknown key 'specs'; did you mean 'spec'?"), e.getMessage());
    }

    @Test
    void wrongTypesMissingKeysAndInvalidValuesNameTheKey() {
        String json = VARIANTS.get(0).toJson(Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"decoderLayers\" : 1", "\"decoderLayers\" : 1.5"),
                        "m.json"));
        assertEquals("m.json: spec.decoderLayers: expected a 32-bit integer, found number 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"none\"", "\"bahdanau\""), "m.json"));
        assertEquals("m.json: spec.attention: expected one of none, dot, general, found \"bahdanau\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"inputFeeding\" : false", "\"inputFeeding\" : \"no\""),
                        "m.json"));
        assertTrue(e.getMessage().contains("spec.inputFeeding: expected true or false, found string \"no\""),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"maxTargetRatio\" : 2.0", "\"maxTargetRatio\" : true"),
                        "m.json"));
        assertEquals("m.json: spec.maxTargetRatio: expected a number, found boolean true", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"endId\" : 2,", ""), "m.json"));
        assertEquals("m.json: spec.endId is missing", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"endId\" : 2", "\"endId\" : 1"), "m.json"));
        assertTrue(e.getMessage().startsWith("m.json: invalid spec: beginId, endId and paddingId must differ"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelJson.parse(json.replace("\"attention\" : \"none\"", "\"attention\" : \"none\", "
                        + "\"attention\" : \"dot\""), "m.json"));
        assertTrue(e.getMessage().startsWith("m.json: not valid JSON"), e.getMessage());
    }
}
