package io.sparkrnn.engine.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.util.Suggest;
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
 * The {@code model.json} document of a {@link ModelSpec} of either family: a versioned envelope around the spec
 * object, which the family's codec writes and reads ({@link SequenceSpecJson}, {@link Seq2SeqSpecJson}):
 *
 * <pre>
 *   {"format": "spark-rnn-model", "formatVersion": 1, "kind": "sequence" | "seq2seq",
 *    "spec": {...}, "provenance": {"key": "value", ...}}      provenance optional, strings only
 * </pre>
 *
 * Written by {@link ModelSpec#toJson}; {@link #read} and {@link #parse} check format, version, top-level keys and
 * kind, then read the spec of that kind. Enums are written as their lower-case names. Reading is strict: another
 * format or version, an unknown kind, an unknown key (reported with the nearest known key), a missing key, a value
 * of the wrong type and a duplicate key are all an {@link IllegalArgumentException} whose message starts with the
 * source name.
 */
public final class ModelJson {
    /** Kind of a {@link SequenceSpec} (aligned or pooled sequence model). */
    public static final String KIND_SEQUENCE = "sequence";
    /** Kind of an encoder-decoder {@link Seq2SeqSpec}. */
    public static final String KIND_SEQ2SEQ = "seq2seq";

    private static final String FORMAT = "spark-rnn-model";
    private static final int FORMAT_VERSION = 1;
    /** Every kind this build reads. */
    private static final List<String> KINDS = List.of(KIND_SEQUENCE, KIND_SEQ2SEQ);

    private static final List<String> TOP_KEYS = List.of("format", "formatVersion", "kind", "spec", "provenance");

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

    private ModelJson() {
    }

    // ------------------------------------------------------------------------------------------- writing

    /** A fresh object for a spec's fields. */
    static ObjectNode newSpecObject() {
        return JSON.createObjectNode();
    }

    /** The document of {@code spec} with {@code provenance} (null or empty for none). */
    static String write(ModelSpec spec, Map<String, String> provenance) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        root.put("kind", spec.kind());
        root.set("spec", spec.match(SequenceSpecJson::write, Seq2SeqSpecJson::write));
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

    /** The lower-case name of an enum constant, as written in documents. */
    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------------------------------- reading

    /** Reads the document in {@code file}; messages name the file. */
    public static Document read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * Parses a document: the envelope (format, formatVersion, known top-level keys, a known kind, an object under
     * "spec", string-valued provenance), then the spec of its kind. {@code source} (a path or URI) names the
     * document in messages.
     */
    public static Document parse(String json, String source) {
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
        if (kind == null || !kind.isTextual() || !KINDS.contains(kind.textValue())) {
            String hint = kind != null && kind.isTextual()
                    ? "; did you mean \"" + Suggest.nearest(kind.textValue(), KINDS) + "\"?" : "";
            throw new IllegalArgumentException(source + ": unsupported model kind " + (kind == null ? "none"
                    : kind.toString()) + "; this build reads \"" + String.join("\", \"", KINDS) + "\"" + hint);
        }
        JsonNode spec = root.get("spec");
        if (spec == null || !spec.isObject()) {
            throw new IllegalArgumentException(source + ": \"spec\" must be an object, found "
                    + (spec == null ? "none" : typeOf(spec)));
        }
        Fields fields = new Fields(spec, source);
        ModelSpec s = kind.textValue().equals(KIND_SEQ2SEQ) ? Seq2SeqSpecJson.read(fields)
                : SequenceSpecJson.read(fields);
        return new Document(s, parseProvenance(root.get("provenance"), source));
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

    /**
     * Typed access to the fields of a spec object, with messages that name the source, the key and the
     * expected type. {@link #requireExactly} first refuses unknown keys (naming the nearest known key) and
     * missing keys.
     */
    record Fields(JsonNode node, String source) {
        /** Refuses unknown keys (with the nearest known one) and missing keys of the spec object. */
        public Fields requireExactly(List<String> keys) {
            return requireExactly(keys, List.of());
        }

        /**
         * As {@link #requireExactly(List)}, with {@code optional} keys that may be absent (keys added after
         * documents were written; read with a default).
         */
        public Fields requireExactly(List<String> keys, List<String> optional) {
            List<String> known = new java.util.ArrayList<>(keys);
            known.addAll(optional);
            checkKeys(node, known, source, "spec.");
            for (String k : keys) {
                if (!node.has(k)) {
                    throw new IllegalArgumentException(source + ": spec." + k + " is missing");
                }
            }
            return this;
        }

        public int integer(String key) {
            JsonNode v = node.get(key);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw wrongType(key, "a 32-bit integer", v);
            }
            return v.intValue();
        }

        public double number(String key) {
            JsonNode v = node.get(key);
            if (!v.isNumber()) {
                throw wrongType(key, "a number", v);
            }
            return v.doubleValue();
        }

        /** The number at {@code key}, or {@code absent} when the key is missing. */
        public double number(String key, double absent) {
            return node.has(key) ? number(key) : absent;
        }

        public boolean bool(String key) {
            JsonNode v = node.get(key);
            if (!v.isBoolean()) {
                throw wrongType(key, "true or false", v);
            }
            return v.booleanValue();
        }

        /** The boolean at {@code key}, or {@code absent} when the key is missing. */
        public boolean bool(String key, boolean absent) {
            return node.has(key) ? bool(key) : absent;
        }

        public <E extends Enum<E>> E choice(String key, Class<E> type, boolean nullable) {
            JsonNode v = node.get(key);
            E[] values = type.getEnumConstants();
            String names = String.join(", ", Arrays.stream(values).map(ModelJson::lower).toList());
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

        /** Rethrows a constructor's validation error with the source name in front. */
        public IllegalArgumentException invalid(IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(source + ": ")) {
                return e;
            }
            return new IllegalArgumentException(source + ": invalid spec: " + e.getMessage(), e);
        }

        private IllegalArgumentException wrongType(String key, String expected, JsonNode v) {
            return new IllegalArgumentException(source + ": spec." + key + ": expected " + expected + ", found "
                    + typeOf(v) + " " + v);
        }
    }

    static String typeOf(JsonNode n) {
        return n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** Refuses keys of {@code node} not in {@code known}, naming the nearest known key. */
    static void checkKeys(JsonNode node, List<String> known, String source, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new IllegalArgumentException(source + ": unknown key '" + prefix + k + "'; did you mean '"
                        + prefix + Suggest.nearest(k, known) + "'? Known keys: " + known);
            }
        }
    }
}
