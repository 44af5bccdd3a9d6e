package io.sparkrnn.driver.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.engine.io.SafeTensors;
import io.sparkrnn.engine.io.SafeTensorsFile;
import io.sparkrnn.engine.param.FlatParams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The round loop's state saved beside a trained model's weights, so that a warm start continues exactly where the
 * run stopped: {@code training-state.json} (round counter, learning-rate back-off, rejection and inner-step
 * counters, and the names of the tensors) and {@code training-state.safetensors} (outer momentum as F64, the
 * averaged inner optimizer state, each partition's carried recurrent state and kept inner state as F32). The same
 * fields and tensor names as a checkpoint's {@code state.json} and {@code optimizer.safetensors}
 * ({@link CheckpointCodec}), without the run's config, metrics or weights: the model folder holds those.
 */
public final class ModelTrainingState {
    public static final String JSON = "training-state.json";
    public static final String TENSORS = "training-state.safetensors";
    public static final String FORMAT = "spark-rnn-training-state";
    public static final int FORMAT_VERSION = 1;

    private ModelTrainingState() {
    }

    /** The two files of {@code s} by name ({@link #JSON}, {@link #TENSORS}); the parameters are not in them. */
    public static Map<String, byte[]> encode(RoundTrainer.State s) {
        ObjectNode root = CheckpointCodec.JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        CheckpointCodec.trainerState(root, s);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("formatVersion", Integer.toString(FORMAT_VERSION));
        meta.put("round", Long.toString(s.round()));
        LinkedHashMap<String, INDArray> tensors = CheckpointCodec.optimizerTensors(s);
        Map<String, byte[]> files = new LinkedHashMap<>();
        try {
            files.put(JSON, CheckpointCodec.JSON.writeValueAsBytes(root));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            SafeTensors.write(out, tensors, meta);
            files.put(TENSORS, out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the training state", e);
        }
        return files;
    }

    /**
     * The state saved as {@link #encode} wrote it, with {@code params} (the model's weights) as its parameters.
     *
     * @param where the model folder, for messages
     * @throws IllegalArgumentException naming the file that is not a training state of this model
     */
    public static RoundTrainer.State decode(byte[] json, byte[] tensors, FlatParams params, String where) {
        String jsonName = where + "/" + JSON;
        JsonNode n;
        try {
            n = CheckpointCodec.JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(jsonName + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject() || !FORMAT.equals(n.path("format").asText())
                || n.path("formatVersion").asInt(-1) != FORMAT_VERSION) {
            throw new IllegalArgumentException(jsonName + ": expected \"format\": \"" + FORMAT + "\" and "
                    + "\"formatVersion\": " + FORMAT_VERSION);
        }
        if (n.path("parameters").asLong(-1) != params.layout().size()) {
            throw new IllegalArgumentException(jsonName + ": holds the state of " + n.path("parameters")
                    + " parameters, the model has " + params.layout().size());
        }
        try {
            SafeTensorsFile o = SafeTensors.read(tensors, where + "/" + TENSORS);
            return CheckpointCodec.state((ObjectNode) n, params, o, jsonName);
        } catch (IOException | NullPointerException e) {
            throw new IllegalArgumentException(where + "/" + TENSORS + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }
}
