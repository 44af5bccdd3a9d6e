package io.sparkrnn.jobs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.jobs.Location;

/**
 * One version of a model in the registry, as {@link Registry} read it.
 *
 * @param name the model's name
 * @param number the version number (folder {@code v0003} is 3)
 * @param dir the version's folder, which holds {@code model/} and {@code version.json}
 * @param json the version.json as stored
 * @param status registered, promoted or rejected: what CURRENT and version.json say together (CURRENT wins when a
 *     writer stopped between the two)
 * @param current true when CURRENT names this version: it serves
 */
public record Version(String name, int number, Location dir, ObjectNode json, String status, boolean current) {
    public static final String REGISTERED = "registered";
    public static final String PROMOTED = "promoted";
    public static final String REJECTED = "rejected";

    /** The folder name, {@code v0003}. */
    public String label() {
        return Names.folder(number);
    }

    /** The model folder, what evaluate, predict and inspect open. */
    public Location model() {
        return dir.resolve(Registry.MODEL);
    }

    /** The version it was trained further from, or null. */
    public Integer parent() {
        JsonNode p = json.get("parent");
        return p == null || p.isNull() ? null : p.asInt();
    }

    public String fingerprint() {
        return json.path("fingerprint").asText();
    }

    /** The figures of its run's eval.json. */
    public JsonNode metrics() {
        return json.path("metrics");
    }

    public String createdAt() {
        return json.path("created_at").asText();
    }

    /** {@code name@v0003}. */
    @Override
    public String toString() {
        return name + "@" + label();
    }
}
