package io.sparkrnn.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.model.Model;
import io.sparkrnn.engine.model.ModelJson;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.optim.Optimizer;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.optim.OptimizerType;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A saved model in one directory:
 *
 * <pre>
 *   model.json              the {@link ModelJson} document of the model's spec, with the provenance strings
 *   weights.safetensors     one tensor per layout entry, PyTorch names and shapes; metadata format,
 *                           formatVersion, dtype, steps
 *   optimizer.safetensors   (when saved with an optimizer) its state vectors by PyTorch's names
 *                           (exp_avg, exp_avg_sq, momentum_buffer), each flat over the whole layout;
 *                           metadata format, formatVersion, dtype, optimizer (config as JSON),
 *                           optimizerStepCount (the optimizer's own count), steps (the trainer's count)
 * </pre>
 *
 * Every file is written to a temporary file in {@code dir} and atomically renamed; JSON and safetensors
 * only. Weights and optimizer state read back bit for bit when loaded in the dtype they were saved in.
 *
 * <p>The directory is local ({@link Path}) or any storage a {@link Folder} reaches (a Hadoop file system).
 *
 * <p>Both model families use the same files and the same {@link #save} and {@link #load}: the weights carry the
 * names of the model's {@link Model#layout()}, {@code model.json} says which family it is.
 */
public final class ModelFiles {
    public static final String MODEL_JSON = "model.json";
    public static final String WEIGHTS = "weights.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";

    public static final String WEIGHTS_FORMAT = "spark-rnn-weights";
    public static final String OPTIMIZER_FORMAT = "spark-rnn-optimizer";
    public static final int FORMAT_VERSION = 1;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ModelFiles() {
    }

    /**
     * Optimizer state as saved: its config, its own step count (Adam's bias correction) and its state
     * vectors, each of {@code params.layout().size()} elements.
     */
    public record OptimizerState(OptimizerConfig config, long stepCount, Map<String, INDArray> tensors) {
        public OptimizerState {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        }

        /** A new optimizer of this config for vectors of {@code size} and {@code dtype}, with this state loaded. */
        public Optimizer restore(long size, DataType dtype) {
            Optimizer o = config.create(size, dtype);
            o.loadState(tensors, stepCount);
            return o;
        }
    }

    /**
     * A loaded model directory.
     *
     * @param spec       the model's spec, from {@code model.json}
     * @param model      a model instance of that spec ({@link Model#as} gives its family's class)
     * @param params     the weights, in the model's layout
     * @param steps      the trainer's step count (schedule position) saved with the weights
     * @param optimizer  the optimizer state, when {@code optimizer.safetensors} exists
     * @param provenance the strings saved in {@code model.json}
     */
    public record Loaded(ModelSpec spec, Model model, FlatParams params, long steps,
            Optional<OptimizerState> optimizer, Map<String, String> provenance) {
    }

    /**
     * Writes {@code model.json}, {@code weights.safetensors} and, when {@code optimizer} is not null,
     * {@code optimizer.safetensors} into {@code dir} (created if needed), each atomically. A stale
     * {@code optimizer.safetensors} is removed when saving without an optimizer.
     *
     * @param optimizerSteps the trainer's step count (the learning-rate schedule's position), &gt;= 0
     * @param provenance     strings stored in {@code model.json} (config, versions, data paths); may be null
     */
    public static void save(Path dir, Model model, FlatParams params, Optimizer optimizer, long optimizerSteps,
            Map<String, String> provenance) throws IOException {
        save(Folder.local(dir), model, params, optimizer, optimizerSteps, provenance);
    }

    /** {@link #save(Path, Model, FlatParams, Optimizer, long, Map)} into a folder on any storage. */
    public static void save(Folder dir, Model model, FlatParams params, Optimizer optimizer, long optimizerSteps,
            Map<String, String> provenance) throws IOException {
        checkSave(model.layout(), params, optimizer, optimizerSteps);
        saveFiles(dir, model.spec().toJson(provenance), params, optimizer, optimizerSteps);
    }

    private static void checkSave(ParamLayout layout, FlatParams params, Optimizer optimizer, long optimizerSteps) {
        if (!params.layout().equals(layout)) {
            throw new IllegalArgumentException("parameters do not have the model's layout: expected "
                    + layout + ", found " + params.layout());
        }
        if (optimizerSteps < 0) {
            throw new IllegalArgumentException("optimizerSteps must be >= 0, found " + optimizerSteps);
        }
        if (optimizer != null && (optimizer.size() != params.layout().size()
                || optimizer.dataType() != params.dataType())) {
            throw new IllegalArgumentException("optimizer is for " + optimizer.size() + " " + optimizer.dataType()
                    + " elements, the parameters have " + params.layout().size() + " " + params.dataType());
        }
        dtypeName(params.dataType());
    }

    private static void saveFiles(Folder dir, String modelJson, FlatParams params, Optimizer optimizer,
            long optimizerSteps) throws IOException {
        String dtype = dtypeName(params.dataType());
        byte[] json = modelJson.getBytes(StandardCharsets.UTF_8);
        dir.write(MODEL_JSON, out -> out.write(json));

        Map<String, String> wm = new LinkedHashMap<>();
        wm.put("format", WEIGHTS_FORMAT);
        wm.put("formatVersion", Integer.toString(FORMAT_VERSION));
        wm.put("dtype", dtype);
        wm.put("steps", Long.toString(optimizerSteps));
        dir.write(WEIGHTS, out -> SafeTensors.write(out, params, wm));

        if (optimizer == null) {
            dir.delete(OPTIMIZER);
            return;
        }
        Map<String, String> om = new LinkedHashMap<>();
        om.put("format", OPTIMIZER_FORMAT);
        om.put("formatVersion", Integer.toString(FORMAT_VERSION));
        om.put("dtype", dtype);
        om.put("optimizer", configJson(optimizer.config()));
        om.put("optimizerStepCount", Long.toString(optimizer.stepCount()));
        om.put("steps", Long.toString(optimizerSteps));
        LinkedHashMap<String, INDArray> state = new LinkedHashMap<>(optimizer.state());
        dir.write(OPTIMIZER, out -> SafeTensors.write(out, state, om));
    }

    /**
     * Reads a directory written by {@link #save}, a model of either family. Weights are read into {@code dtype}
     * (FLOAT or DOUBLE), bit for bit when that is the dtype they were saved in, else converted; likewise the
     * optimizer state. The weight tensors must be exactly the layout of the model in {@code model.json}: the
     * message of a mismatch names the file and the tensor.
     */
    public static Loaded load(Path dir, DataType dtype) throws IOException {
        return load(Folder.local(dir), dtype);
    }

    /** {@link #load(Path, DataType)} from a folder on any storage. */
    public static Loaded load(Folder dir, DataType dtype) throws IOException {
        checkDtype(dtype);
        String json;
        try (InputStream in = dir.open(MODEL_JSON)) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ModelJson.Document doc = ModelJson.parse(json, dir.where(MODEL_JSON));
        Model model = doc.spec().newModel();
        Parts p = loadParts(dir, model.layout(), dtype);
        return new Loaded(doc.spec(), model, p.params(), p.steps(), p.optimizer(), doc.provenance());
    }

    private static void checkDtype(DataType dtype) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("parameters are FLOAT or DOUBLE, found " + dtype);
        }
    }

    private record Parts(FlatParams params, long steps, Optional<OptimizerState> optimizer) {
    }

    private static Parts loadParts(Folder dir, ParamLayout layout, DataType dtype) throws IOException {
        String weights = dir.where(WEIGHTS);
        long size = dir.size(WEIGHTS);
        Header wh = header(dir, WEIGHTS, size);
        Map<String, String> wm = checkFormat(weights, wh.metadata(), WEIGHTS_FORMAT);
        DataType stored = storedDtype(weights, wh, dtype);
        FlatParams params;
        try (InputStream in = dir.open(WEIGHTS)) {
            params = SafeTensors.readParams(in, size, weights, layout, stored);
        }
        if (stored != dtype) {
            params = new FlatParams(params.layout(), params.flat().castTo(dtype));
        }
        requireFinite(weights, params);
        long steps = longValue(weights, wm, "steps", 0);

        Optional<OptimizerState> state = Optional.empty();
        if (dir.exists(OPTIMIZER)) {
            state = Optional.of(readOptimizer(dir, params, dtype));
        }
        return new Parts(params, steps, state);
    }

    /**
     * Refuses weights with a NaN or an infinity, naming the tensor and the element: no model trains to one (the
     * round loop rejects non-finite updates), so the file is damaged, and every figure computed with it would be.
     */
    static void requireFinite(String file, FlatParams params) {
        double[] v = params.flat().toDoubleVector();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                for (ParamLayout.Entry e : params.layout().entries()) {
                    if (i >= e.offset() && i < e.offset() + e.length()) {
                        throw new IllegalArgumentException(file + ": tensor '" + e.name() + "' holds " + v[i]
                                + " at element " + (i - e.offset()) + "; a model's weights are finite numbers");
                    }
                }
            }
        }
    }

    private static OptimizerState readOptimizer(Folder dir, FlatParams params, DataType dtype)
            throws IOException {
        String file = dir.where(OPTIMIZER);
        SafeTensorsFile f;
        try (InputStream in = dir.open(OPTIMIZER)) {
            f = SafeTensors.read(in, file);
        }
        Map<String, String> m = checkFormat(file, f.metadata(), OPTIMIZER_FORMAT);
        OptimizerConfig config = parseConfig(file, required(file, m, "optimizer"));
        long stepCount = longValue(file, m, "optimizerStepCount", -1);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (TensorInfo t : f.tensors()) {
            INDArray a = f.get(t.name());
            if (a.rank() != 1 || a.length() != params.layout().size()) {
                throw new IllegalArgumentException(file + ": tensor '" + t.name() + "' must be a vector of "
                        + params.layout().size() + " elements (one per parameter), found shape "
                        + java.util.Arrays.toString(t.shape()));
            }
            tensors.put(t.name(), a.dataType() == dtype ? a : a.castTo(dtype));
        }
        // Check names and sizes against a fresh optimizer now, so that a bad file fails here and not at restore.
        try {
            config.create(params.layout().size(), dtype).loadState(tensors, stepCount);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return new OptimizerState(config, stepCount, tensors);
    }

    // ------------------------------------------------------------------------------------------- helpers

    private static Header header(Folder dir, String name, long size) throws IOException {
        try (InputStream in = dir.open(name)) {
            SafeTensorsHeader h = SafeTensorsHeader.read(in, dir.where(name), size);
            return new Header(h.metadata(), h.tensors().isEmpty() ? null : h.tensors().get(0).dtype());
        }
    }

    private record Header(Map<String, String> metadata, String firstDtype) {
    }

    /** The ND4J type the weights are stored in (the file's), or {@code wanted} when the file has no tensor. */
    private static DataType storedDtype(String file, Header h, DataType wanted) {
        if (h.firstDtype() == null) {
            return wanted;
        }
        Dtype d = Dtype.forName(h.firstDtype());
        if (d != Dtype.F32 && d != Dtype.F64) {
            throw new IllegalArgumentException(file + ": weights must be F32 or F64, found " + h.firstDtype());
        }
        return d.nd4j;
    }

    private static Map<String, String> checkFormat(String file, Map<String, String> m, String format) {
        String found = m.get("format");
        if (!format.equals(found)) {
            throw new IllegalArgumentException(file + ": expected metadata format \"" + format + "\", found "
                    + (found == null ? "none" : "\"" + found + "\""));
        }
        String version = required(file, m, "formatVersion");
        if (!version.equals(Integer.toString(FORMAT_VERSION))) {
            throw new IllegalArgumentException(file + ": unsupported formatVersion " + version + "; this build reads "
                    + FORMAT_VERSION);
        }
        return m;
    }

    private static String required(String file, Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException(file + ": metadata '" + key + "' is missing");
        }
        return v;
    }

    /** Metadata {@code key} as a long &gt;= 0; {@code fallback} when absent, unless fallback is -1 (required). */
    private static long longValue(String file, Map<String, String> m, String key, long fallback) {
        String v = fallback < 0 ? required(file, m, key) : m.getOrDefault(key, Long.toString(fallback));
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(file + ": metadata '" + key + "' must be an integer >= 0, found \"" + v
                + "\"");
    }

    private static String dtypeName(DataType t) {
        if (t == DataType.FLOAT) {
            return "float32";
        }
        if (t == DataType.DOUBLE) {
            return "float64";
        }
        throw new IllegalArgumentException("parameters must be FLOAT or DOUBLE, found " + t);
    }

    /** The optimizer config as a JSON object with every field; the type as its lower-case name. */
    static String configJson(OptimizerConfig c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", c.type().name().toLowerCase(Locale.ROOT));
        n.put("momentum", c.momentum());
        n.put("beta1", c.beta1());
        n.put("beta2", c.beta2());
        n.put("eps", c.eps());
        n.put("weightDecay", c.weightDecay());
        return n.toString();
    }

    static OptimizerConfig parseConfig(String file, String json) {
        String where = file + ": metadata 'optimizer'";
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject() || n.size() != 6) {
            throw new IllegalArgumentException(where + ": expected an object with type, momentum, beta1, beta2, eps "
                    + "and weightDecay, found " + json);
        }
        JsonNode type = n.get("type");
        OptimizerType t = null;
        for (OptimizerType o : OptimizerType.values()) {
            if (type != null && type.isTextual() && o.name().equalsIgnoreCase(type.textValue())) {
                t = o;
            }
        }
        if (t == null) {
            throw new IllegalArgumentException(where + ": expected type one of sgd, momentum, nesterov, adam, adamw, "
                    + "found " + type);
        }
        try {
            return new OptimizerConfig(t, number(where, n, "momentum"), number(where, n, "beta1"),
                    number(where, n, "beta2"), number(where, n, "eps"), number(where, n, "weightDecay"));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static double number(String where, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(where + ": expected a number for '" + key + "', found " + v);
        }
        return v.doubleValue();
    }
}
