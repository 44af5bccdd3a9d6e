package io.sparkrnn.engine.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.cell.CellType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code model.json} document of an encoder-decoder model: the shared envelope of {@link ModelJson}
 * with {@code "kind": "seq2seq"} and a {@link Seq2SeqSpec}.
 *
 * <pre>
 *   {"format": "spark-rnn-model", "formatVersion": 1, "kind": "seq2seq",
 *    "spec": {"sourceVocab": 30, "targetVocab": 42, "sourceEmbedding": 32, "targetEmbedding": 32,
 *             "cell": "lstm", "encoderHidden": 64, "encoderLayers": 1, "bidirectional": true,
 *             "decoderHidden": 64, "decoderLayers": 1, "dropout": 0.0, "attention": "general",
 *             "inputFeeding": true, "paddingId": 0, "beginId": 1, "endId": 2, "maxSourceLength": 200,
 *             "maxTargetRatio": 2.0},
 *    "provenance": {"key": "value", ...}}                 optional, strings only
 * </pre>
 *
 * Reading is as strict as {@code SequenceSpecJson}: format and formatVersion checked, unknown keys refused with
 * the nearest known key, missing keys and wrong types refused, messages start with the source name. A
 * {@code "kind": "sequence"} document is refused with "this is a sequence model" (and vice versa).
 */
public final class Seq2SeqSpecJson {
    public static final String KIND = ModelJson.KIND_SEQ2SEQ;

    private static final List<String> SPEC_KEYS = List.of("sourceVocab", "targetVocab", "sourceEmbedding",
            "targetEmbedding", "cell", "encoderHidden", "encoderLayers", "bidirectional", "decoderHidden",
            "decoderLayers", "dropout", "attention", "inputFeeding", "paddingId", "beginId", "endId",
            "maxSourceLength", "maxTargetRatio");

    /** A parsed document: the spec and the provenance strings stored beside it (empty when absent). */
    public record Document(Seq2SeqSpec spec, Map<String, String> provenance) {
        public Document {
            if (spec == null) {
                throw new IllegalArgumentException("spec is required");
            }
            provenance = provenance == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        }
    }

    private Seq2SeqSpecJson() {
    }

    /** The document for {@code spec} without provenance. */
    public static String toJson(Seq2SeqSpec spec) {
        return toJson(spec, Map.of());
    }

    /** The document for {@code spec}, with {@code provenance} (null or empty for none) under "provenance". */
    public static String toJson(Seq2SeqSpec spec, Map<String, String> provenance) {
        ObjectNode s = ModelJson.newSpecObject();
        s.put("sourceVocab", spec.sourceVocab());
        s.put("targetVocab", spec.targetVocab());
        s.put("sourceEmbedding", spec.sourceEmbedding());
        s.put("targetEmbedding", spec.targetEmbedding());
        s.put("cell", ModelJson.lower(spec.cell()));
        s.put("encoderHidden", spec.encoderHidden());
        s.put("encoderLayers", spec.encoderLayers());
        s.put("bidirectional", spec.bidirectional());
        s.put("decoderHidden", spec.decoderHidden());
        s.put("decoderLayers", spec.decoderLayers());
        s.put("dropout", spec.dropout());
        s.put("attention", ModelJson.lower(spec.attention()));
        s.put("inputFeeding", spec.inputFeeding());
        s.put("paddingId", spec.paddingId());
        s.put("beginId", spec.beginId());
        s.put("endId", spec.endId());
        s.put("maxSourceLength", spec.maxSourceLength());
        s.put("maxTargetRatio", spec.maxTargetRatio());
        return ModelJson.write(KIND, s, provenance);
    }

    /** Reads the spec in {@code file}; messages name the file. */
    public static Seq2SeqSpec read(Path file) throws IOException {
        return readDocument(file).spec();
    }

    /** Reads the spec and provenance in {@code file}; messages name the file. */
    public static Document readDocument(Path file) throws IOException {
        return parseDocument(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses a document; {@code source} (a path or URI) names it in error messages. */
    public static Seq2SeqSpec parse(String json, String source) {
        return parseDocument(json, source).spec();
    }

    /** Parses a document with its provenance; {@code source} names it in error messages. */
    public static Document parseDocument(String json, String source) {
        ModelJson.Envelope env = ModelJson.parse(json, source, KIND);
        ModelJson.Fields f = new ModelJson.Fields(env.spec(), source).requireExactly(SPEC_KEYS);
        Seq2SeqSpec spec;
        try {
            spec = new Seq2SeqSpec(
                    f.integer("sourceVocab"),
                    f.integer("targetVocab"),
                    f.integer("sourceEmbedding"),
                    f.integer("targetEmbedding"),
                    f.choice("cell", CellType.class, false),
                    f.integer("encoderHidden"),
                    f.integer("encoderLayers"),
                    f.bool("bidirectional"),
                    f.integer("decoderHidden"),
                    f.integer("decoderLayers"),
                    f.number("dropout"),
                    f.choice("attention", Seq2SeqSpec.Attention.class, false),
                    f.bool("inputFeeding"),
                    f.integer("paddingId"),
                    f.integer("beginId"),
                    f.integer("endId"),
                    f.integer("maxSourceLength"),
                    f.number("maxTargetRatio"));
        } catch (IllegalArgumentException e) {
            throw f.invalid(e);
        }
        return new Document(spec, env.provenance());
    }
}
