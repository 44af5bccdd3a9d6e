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
 * The {@code model.json} document: a versioned, self-describing {@link SequenceSpec}.
 *
 * <pre>
 *   {"format": "spark-rnn-model", "formatVersion": 1, "kind": "sequence",
 *    "spec": {"vocabSize": 65, "embeddingDim": 32, "paddingId": -1, "featureSize": 0, "cell": "lstm",
 *             "hiddenSize": 256, "numLayers": 1, "bidirectional": false, "dropout": 0.0,
 *             "topology": "aligned", "pooling": null, "outputSize": 65, "loss": "cross_entropy",
 *             "ignoreIndex": -100},
 *    "provenance": {"key": "value", ...}}                 optional, strings only
 * </pre>
 *
 * Enums are written as their lower-case names. Reading is strict: another format or version, another kind,
 * an unknown key (reported with the nearest known key), a missing key, a value of the wrong type and a
 * duplicate key are all an {@link IllegalArgumentException} whose message starts with the source name.
 * The envelope is shared with the encoder-decoder documents ({@code "kind": "seq2seq"}, read by
 * {@code seq2seq.Seq2SeqSpecJson}); a seq2seq document given to this reader is refused with "this is a
 * seq2seq model". Use {@link ModelJson#kindOf} to dispatch before reading.
 */
public final class SequenceSpecJson {
    public static final String FORMAT = ModelJson.FORMAT;
    public static final int FORMAT_VERSION = ModelJson.FORMAT_VERSION;
    public static final String KIND_SEQUENCE = ModelJson.KIND_SEQUENCE;

    private static final List<String> SPEC_KEYS = List.of("vocabSize", "embeddingDim", "paddingId", "featureSize",
            "cell", "hiddenSize", "numLayers", "bidirectional", "dropout", "topology", "pooling", "outputSize", "loss",
            "ignoreIndex");

    /** A parsed document: the spec and the provenance strings stored beside it (empty when absent). */
    public record Document(SequenceSpec spec, Map<String, String> provenance) {
        public Document {
            if (spec == null) {
                throw new IllegalArgumentException("spec is required");
            }
            provenance = provenance == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        }
    }

    private SequenceSpecJson() {
    }

    // ------------------------------------------------------------------------------------------- writing

    /** The document for {@code spec} without provenance. */
    public static String toJson(SequenceSpec spec) {
        return toJson(spec, Map.of());
    }

    /** The document for {@code spec}, with {@code provenance} (null or empty for none) under "provenance". */
    public static String toJson(SequenceSpec spec, Map<String, String> provenance) {
        ObjectNode s = ModelJson.newSpecObject();
        s.put("vocabSize", spec.vocabSize());
        s.put("embeddingDim", spec.embeddingDim());
        s.put("paddingId", spec.paddingId());
        s.put("featureSize", spec.featureSize());
        s.put("cell", ModelJson.lower(spec.cell()));
        s.put("hiddenSize", spec.hiddenSize());
        s.put("numLayers", spec.numLayers());
        s.put("bidirectional", spec.bidirectional());
        s.put("dropout", spec.dropout());
        s.put("ioDropout", spec.ioDropout());
        s.put("topology", ModelJson.lower(spec.topology()));
        if (spec.pooling() == null) {
            s.putNull("pooling");
        } else {
            s.put("pooling", ModelJson.lower(spec.pooling()));
        }
        s.put("outputSize", spec.outputSize());
        s.put("loss", ModelJson.lower(spec.loss()));
        s.put("ignoreIndex", spec.ignoreIndex());
        return ModelJson.write(KIND_SEQUENCE, s, provenance);
    }

    // ------------------------------------------------------------------------------------------- reading

    /** Reads the spec in {@code file}; messages name the file. */
    public static SequenceSpec read(Path file) throws IOException {
        return readDocument(file).spec();
    }

    /** Reads the spec and provenance in {@code file}; messages name the file. */
    public static Document readDocument(Path file) throws IOException {
        return parseDocument(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses a document; {@code source} (a path or URI) names it in error messages. */
    public static SequenceSpec parse(String json, String source) {
        return parseDocument(json, source).spec();
    }

    /** Parses a document with its provenance; {@code source} names it in error messages. */
    public static Document parseDocument(String json, String source) {
        ModelJson.Envelope env = ModelJson.parse(json, source, KIND_SEQUENCE);
        return new Document(parseSpec(new ModelJson.Fields(env.spec(), source)), env.provenance());
    }

    private static SequenceSpec parseSpec(ModelJson.Fields f) {
        f.requireExactly(SPEC_KEYS, List.of("ioDropout"));
        try {
            return new SequenceSpec(
                    f.integer("vocabSize"),
                    f.integer("embeddingDim"),
                    f.integer("paddingId"),
                    f.integer("featureSize"),
                    f.choice("cell", CellType.class, false),
                    f.integer("hiddenSize"),
                    f.integer("numLayers"),
                    f.bool("bidirectional"),
                    f.number("dropout"),
                    f.choice("topology", SequenceSpec.Topology.class, false),
                    f.choice("pooling", SequenceSpec.Pooling.class, true),
                    f.integer("outputSize"),
                    f.choice("loss", SequenceSpec.Loss.class, false),
                    f.integer("ignoreIndex"),
                    f.number("ioDropout", 0.0));
        } catch (IllegalArgumentException e) {
            throw f.invalid(e);
        }
    }
}
