package io.sparkrnn.engine.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.cell.CellType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code model.json} document: a versioned, self-describing {@link ModelSpec}.
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
 * {@code "kind"} leaves room for other model families (encoder-decoder) in the same format.
 */
public final class ModelSpecJson {
    public static final String FORMAT = "spark-rnn-model";
    public static final int FORMAT_VERSION = 1;
    public static final String KIND_SEQUENCE = "sequence";

    private static final List<String> TOP_KEYS = List.of("format", "formatVersion", "kind", "spec", "provenance");
    private static final List<String> SPEC_KEYS = List.of("vocabSize", "embeddingDim", "paddingId", "featureSize",
            "cell", "hiddenSize", "numLayers", "bidirectional", "dropout", "topology", "pooling", "outputSize", "loss",
            "ignoreIndex");

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** A parsed document: the spec and the provenance strings stored beside it (empty when absent). */
    public record Document(ModelSpec spec, Map<String, String> provenance) {
        public Document {
            if (spec == null) {
                throw new IllegalArgumentException("spec is required");
            }
            provenance = provenance == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        }
    }

    private ModelSpecJson() {
    }

    // ------------------------------------------------------------------------------------------- writing

    /** The document for {@code spec} without provenance. */
    public static String toJson(ModelSpec spec) {
        return toJson(spec, Map.of());
    }

    /** The document for {@code spec}, with {@code provenance} (null or empty for none) under "provenance". */
    public static String toJson(ModelSpec spec, Map<String, String> provenance) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        root.put("kind", KIND_SEQUENCE);
        ObjectNode s = root.putObject("spec");
        s.put("vocabSize", spec.vocabSize());
        s.put("embeddingDim", spec.embeddingDim());
        s.put("paddingId", spec.paddingId());
        s.put("featureSize", spec.featureSize());
        s.put("cell", lower(spec.cell()));
        s.put("hiddenSize", spec.hiddenSize());
        s.put("numLayers", spec.numLayers());
        s.put("bidirectional", spec.bidirectional());
        s.put("dropout", spec.dropout());
        s.put("topology", lower(spec.topology()));
        if (spec.pooling() == null) {
            s.putNull("pooling");
        } else {
            s.put("pooling", lower(spec.pooling()));
        }
        s.put("outputSize", spec.outputSize());
        s.put("loss", lower(spec.loss()));
        s.put("ignoreIndex", spec.ignoreIndex());
        if (provenance != null && !provenance.isEmpty()) {
            ObjectNode p = root.putObject("provenance");
            provenance.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new IllegalArgumentException("provenance keys and values must be non-null, found " + k
                            + " -> " + v);
                }
                p.put(k, v);
            });
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise model spec " + spec, e);
        }
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------------------------------- reading

    /** Reads the spec in {@code file}; messages name the file. */
    public static ModelSpec read(Path file) throws IOException {
        return readDocument(file).spec();
    }

    /** Reads the spec and provenance in {@code file}; messages name the file. */
    public static Document readDocument(Path file) throws IOException {
        return parseDocument(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses a document; {@code source} (a path or URI) names it in error messages. */
    public static ModelSpec parse(String json, String source) {
        return parseDocument(json, source).spec();
    }

    /** Parses a document with its provenance; {@code source} names it in error messages. */
    public static Document parseDocument(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IllegalArgumentException(source + ": not valid JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ": "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object, found "
                    + (root == null || root.isMissingNode() ? "nothing" : typeOf(root)));
        }
        checkKeys(root, TOP_KEYS, source, "");
        JsonNode format = root.get("format");
        if (format == null || !format.isTextual() || !format.textValue().equals(FORMAT)) {
            throw new IllegalArgumentException(source + ": not a spark-rnn model file: expected \"format\": \""
                    + FORMAT + "\", found " + (format == null ? "none" : format.toString()));
        }
        JsonNode version = root.get("formatVersion");
        if (version == null || !version.isIntegralNumber()) {
            throw new IllegalArgumentException(source + ": expected an integer formatVersion, found "
                    + (version == null ? "none" : version.toString()));
        }
        if (!version.canConvertToInt() || version.intValue() != FORMAT_VERSION) {
            throw new IllegalArgumentException(source + ": unsupported formatVersion " + version.asText()
                    + "; this build reads " + FORMAT_VERSION);
        }
        JsonNode kind = root.get("kind");
        if (kind == null || !kind.isTextual() || !kind.textValue().equals(KIND_SEQUENCE)) {
            throw new IllegalArgumentException(source + ": unsupported model kind " + (kind == null ? "none"
                    : kind.toString()) + "; this build reads \"" + KIND_SEQUENCE + "\"");
        }
        JsonNode spec = root.get("spec");
        if (spec == null || !spec.isObject()) {
            throw new IllegalArgumentException(source + ": \"spec\" must be an object, found "
                    + (spec == null ? "none" : typeOf(spec)));
        }
        return new Document(parseSpec(spec, source), parseProvenance(root.get("provenance"), source));
    }

    private static ModelSpec parseSpec(JsonNode s, String source) {
        checkKeys(s, SPEC_KEYS, source, "spec.");
        for (String k : SPEC_KEYS) {
            if (!s.has(k)) {
                throw new IllegalArgumentException(source + ": spec." + k + " is missing");
            }
        }
        Fields f = new Fields(s, source);
        try {
            return new ModelSpec(
                    f.integer("vocabSize"),
                    f.integer("embeddingDim"),
                    f.integer("paddingId"),
                    f.integer("featureSize"),
                    f.choice("cell", CellType.class, false),
                    f.integer("hiddenSize"),
                    f.integer("numLayers"),
                    f.bool("bidirectional"),
                    f.number("dropout"),
                    f.choice("topology", ModelSpec.Topology.class, false),
                    f.choice("pooling", ModelSpec.Pooling.class, true),
                    f.integer("outputSize"),
                    f.choice("loss", ModelSpec.Loss.class, false),
                    f.integer("ignoreIndex"));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(source + ": ")) {
                throw e;
            }
            throw new IllegalArgumentException(source + ": invalid spec: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> parseProvenance(JsonNode p, String source) {
        if (p == null) {
            return Map.of();
        }
        if (!p.isObject()) {
            throw new IllegalArgumentException(source + ": provenance: expected an object of strings, found "
                    + typeOf(p));
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException(source + ": provenance." + e.getKey() + ": expected a string, found "
                        + typeOf(e.getValue()) + " " + e.getValue());
            }
            m.put(e.getKey(), e.getValue().textValue());
        }
        return m;
    }

    /** Typed access to the fields of the spec object, with messages that name the key and the expected type. */
    private record Fields(JsonNode node, String source) {
        int integer(String key) {
            JsonNode v = node.get(key);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw wrongType(key, "a 32-bit integer", v);
            }
            return v.intValue();
        }

        double number(String key) {
            JsonNode v = node.get(key);
            if (!v.isNumber()) {
                throw wrongType(key, "a number", v);
            }
            return v.doubleValue();
        }

        boolean bool(String key) {
            JsonNode v = node.get(key);
            if (!v.isBoolean()) {
                throw wrongType(key, "true or false", v);
            }
            return v.booleanValue();
        }

        <E extends Enum<E>> E choice(String key, Class<E> type, boolean nullable) {
            JsonNode v = node.get(key);
            E[] values = type.getEnumConstants();
            String names = String.join(", ", Arrays.stream(values).map(ModelSpecJson::lower).toList());
            String expected = "one of " + names + (nullable ? " or null" : "");
            if (v.isNull() && nullable) {
                return null;
            }
            if (!v.isTextual()) {
                throw wrongType(key, "a string, " + expected, v);
            }
            for (E e : values) {
                if (lower(e).equals(v.textValue())) {
                    return e;
                }
            }
            throw new IllegalArgumentException(source + ": spec." + key + ": expected " + expected + ", found "
                    + v);
        }

        private IllegalArgumentException wrongType(String key, String expected, JsonNode v) {
            return new IllegalArgumentException(source + ": spec." + key + ": expected " + expected + ", found "
                    + typeOf(v) + " " + v);
        }
    }

    private static String typeOf(JsonNode n) {
        return n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** Refuses keys of {@code node} not in {@code known}, naming the nearest known key. */
    private static void checkKeys(JsonNode node, List<String> known, String source, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new IllegalArgumentException(source + ": unknown key '" + prefix + k + "'; did you mean '"
                        + prefix + io.sparkrnn.engine.util.Suggest.nearest(k, known) + "'? Known keys: " + known);
            }
        }
    }
}
