package io.sparkrnn.jobs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;

/**
 * What {@link Registry#register} records about a new version besides its model folder.
 *
 * @param parent the version it was trained further from (warm start), or null for a model trained from scratch
 * @param data the data it was trained on, fingerprinted ({@link DataFingerprint#of})
 * @param metrics the figures of its run's {@code eval.json} (an empty object when there are none)
 * @param command the command line that made it, as a person would type it again
 */
public record VersionInfo(Integer parent, List<DataFingerprint> data, JsonNode metrics, String command) {
    public VersionInfo {
        data = List.copyOf(data);
        metrics = metrics == null ? JsonNodeFactory.instance.objectNode() : metrics;
        command = command == null ? "" : command;
    }
}
