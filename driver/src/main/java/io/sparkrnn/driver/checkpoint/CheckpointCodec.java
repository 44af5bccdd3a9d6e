package io.sparkrnn.driver.checkpoint;

import static io.sparkrnn.driver.checkpoint.CheckpointStore.FILE_NAME;
import static io.sparkrnn.driver.checkpoint.CheckpointStore.MODEL_JSON;
import static io.sparkrnn.driver.checkpoint.CheckpointStore.OPTIMIZER;
import static io.sparkrnn.driver.checkpoint.CheckpointStore.STATE_JSON;
import static io.sparkrnn.driver.checkpoint.CheckpointStore.WEIGHTS;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.checkpoint.CheckpointStore.DamagedException;
import io.sparkrnn.driver.round.KeptState;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.engine.io.SafeTensors;
import io.sparkrnn.engine.io.SafeTensorsFile;
import io.sparkrnn.engine.io.TensorInfo;
import io.sparkrnn.engine.model.ModelJson;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The contents of a checkpoint's files: {@code state.json} (round, counters, seeds, config, metrics history)
 * and the tensors of {@code optimizer.safetensors} (outer momentum, averaged inner state, each partition's
 * recurrent state and kept inner state) written from a {@link RoundTrainer.State}, and a whole
 * {@link Checkpoint} decoded from its verified files. The folder protocol (temporary folder, manifest, verify,
 * publish) is {@link CheckpointStore}'s.
 */
final class CheckpointCodec {
    static final String OUTER_MOMENTUM = "outer.momentum";
    static final String INNER_PREFIX = "inner.";
    static final String PARTITION_PREFIX = "state.partition.";
    static final String KEPT_PREFIX = "inner.partition.";

    static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final Pattern MANIFEST_LINE = Pattern.compile("([0-9a-f]{64})  (\\S+)");

    private CheckpointCodec() {
    }

    /**
     * The checkpoint {@code name} in folder {@code ck} from its files' verified bytes and its parsed state.json.
     *
     * @throws DamagedException naming the file that cannot be parsed
     */
    static Checkpoint decode(String name, Path ck, ObjectNode st, Map<String, byte[]> bytes) throws DamagedException {
        Path at = null;
        try {
            at = new Path(ck, MODEL_JSON);
            ModelSpec spec = ModelJson.parse(new String(bytes.get(MODEL_JSON), StandardCharsets.UTF_8),
                    at.toString()).spec();
            ParamLayout layout = spec.layout();
            at = new Path(ck, WEIGHTS);
            SafeTensorsFile w = SafeTensors.read(bytes.get(WEIGHTS), at.toString());
            FlatParams params = FlatParams.zeros(layout, DataType.FLOAT);
            w.copyInto(params);
            at = new Path(ck, OPTIMIZER);
            SafeTensorsFile o = SafeTensors.read(bytes.get(OPTIMIZER), at.toString());
            at = new Path(ck, STATE_JSON);
            RoundTrainer.State state = state(st, params, o, at.toString());
            RunInfo info = runInfo(st);
            Map<String, byte[]> files = new LinkedHashMap<>();
            for (JsonNode f : st.withArray("files")) {
                byte[] b = bytes.get(f.asText());
                if (b == null) {
                    throw new IllegalArgumentException("extra file " + f.asText() + " is not in the manifest");
                }
                files.put(f.asText(), b);
            }
            return new Checkpoint(name, spec, params, state, files, info, st.get("configHash").asText(),
                    st.get("createdAt").asText());
        } catch (IllegalArgumentException | NullPointerException | IOException e) {
            throw new DamagedException(at + ": " + e.getMessage(), e);
        }
    }

    /** The manifest's (file, sha256) entries in order; {@code p} names it in errors. */
    static Map<String, String> parseManifest(Path p, String text) throws DamagedException {
        Map<String, String> m = new LinkedHashMap<>();
        int line = 0;
        for (String l : text.split("\n", -1)) {
            line++;
            if (l.isEmpty()) {
                continue;
            }
            Matcher x = MANIFEST_LINE.matcher(l);
            if (!x.matches() || !FILE_NAME.matcher(x.group(2)).matches()) {
                throw new DamagedException(p + " line " + line + ": expected \"<sha256 hex>  <file>\", found \"" + l
                        + "\"", null);
            }
            m.put(x.group(2), x.group(1));
        }
        if (!m.containsKey(STATE_JSON)) {
            throw new DamagedException(p + ": does not list " + STATE_JSON, null);
        }
        return m;
    }

    static Map<String, String> weightsMetadata(RoundTrainer.State s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "spark-rnn-weights");
        m.put("formatVersion", "1");
        m.put("dtype", "float32");
        m.put("steps", Long.toString(s.innerSteps()));
        m.put("round", Long.toString(s.round()));
        return m;
    }

    static Map<String, String> optimizerMetadata(RoundTrainer.State s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", CheckpointStore.FORMAT + "-optimizer");
        m.put("formatVersion", Integer.toString(CheckpointStore.FORMAT_VERSION));
        m.put("round", Long.toString(s.round()));
        m.put("innerSteps", Long.toString(s.innerSteps()));
        return m;
    }

    static LinkedHashMap<String, INDArray> optimizerTensors(RoundTrainer.State s) {
        LinkedHashMap<String, INDArray> t = new LinkedHashMap<>();
        if (s.outerMomentum() != null) {
            t.put(OUTER_MOMENTUM, Nd4j.createFromArray(s.outerMomentum()));
        }
        if (s.innerState() != null) {
            s.innerState().forEach((k, v) -> t.put(INNER_PREFIX + k, Nd4j.createFromArray(v)));
        }
        new TreeMap<>(s.states()).forEach((p, v) -> t.put(partitionTensor(p), Nd4j.createFromArray(v)));
        if (s.kept() != null) {
            new TreeMap<>(s.kept()).forEach((p, k) -> k.vectors().forEach(
                    (name, v) -> t.put(keptTensor(p, name), Nd4j.createFromArray(v))));
        }
        return t;
    }

    /** The tensor of vector {@code name} of partition {@code partition}'s kept inner state. */
    static String keptTensor(int partition, String name) {
        return KEPT_PREFIX + String.format("%05d", partition) + "." + name;
    }

    static String partitionTensor(int partition) {
        return PARTITION_PREFIX + String.format("%05d", partition);
    }

    static byte[] stateJson(String name, RoundTrainer.State s, RunInfo info, Set<String> files)
            throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", CheckpointStore.FORMAT);
        root.put("formatVersion", CheckpointStore.FORMAT_VERSION);
        root.put("name", name);
        root.put("createdAt", Instant.now().toString());
        trainerState(root, s);
        ObjectNode seeds = root.putObject("seeds");
        info.seeds().forEach((k, v) -> seeds.put(k, v.longValue()));
        ObjectNode counters = root.putObject("counters");
        info.counters().forEach((k, v) -> counters.put(k, v.longValue()));
        ObjectNode config = root.putObject("config");
        info.config().forEach((k, v) -> config.put(k, v));
        root.put("configHash", info.configHash());
        if (info.validation() == null) {
            root.putNull("validation");
        } else {
            root.put("validation", info.validation());
        }
        if (info.best() == null) {
            root.putNull("best");
        } else {
            ObjectNode best = root.putObject("best");
            best.put("metric", info.best().metric());
            best.put("round", info.best().round());
            best.put("value", info.best().value());
            best.put("sinceBest", info.best().sinceBest());
        }
        ArrayNode fl = root.putArray("files");
        files.forEach(fl::add);
        ArrayNode metrics = root.putArray("metrics");
        int line = 0;
        for (String m : info.metrics()) {
            line++;
            try {
                metrics.add(JSON.readTree(m));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("metrics history line " + line + " is not JSON: " + m, e);
            }
        }
        return JSON.writeValueAsBytes(root);
    }

    /**
     * Writes the round loop's counters and the names of the tensors of {@link #optimizerTensors} into {@code root}:
     * the part of {@code state.json} that {@link #state} reads back (a model folder's {@code training-state.json}
     * holds this part alone).
     */
    static void trainerState(ObjectNode root, RoundTrainer.State s) {
        root.put("round", s.round());
        root.put("lrScale", s.lrScale());
        root.put("rejectionsInRow", s.rejectionsInRow());
        root.put("rejections", s.rejections());
        root.put("innerSteps", s.innerSteps());
        root.put("parameters", s.params().length);
        root.put("outerMomentum", s.outerMomentum() != null);
        if (s.innerState() == null) {
            root.putNull("innerState");
        } else {
            ArrayNode a = root.putArray("innerState");
            s.innerState().keySet().forEach(a::add);
        }
        ArrayNode parts = root.putArray("partitions");
        new TreeMap<>(s.states()).keySet().forEach(parts::add);
        if (s.kept() == null) {
            root.putNull("kept");
        } else {
            ArrayNode kept = root.putArray("kept");
            new TreeMap<>(s.kept()).forEach((p, k) -> {
                ObjectNode e = kept.addObject();
                e.put("partition", p);
                e.put("steps", k.steps());
                ArrayNode names = e.putArray("names");
                k.vectors().keySet().forEach(names::add);
            });
        }
    }

    static ObjectNode parseState(Path p, byte[] b) throws DamagedException {
        JsonNode n;
        try {
            n = JSON.readTree(b);
        } catch (IOException e) {
            throw new DamagedException(p + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new DamagedException(p + ": expected a JSON object", null);
        }
        JsonNode format = n.get("format");
        JsonNode version = n.get("formatVersion");
        if (format == null || !CheckpointStore.FORMAT.equals(format.asText())) {
            throw new IllegalStateException(p + ": not a spark-rnn checkpoint: expected \"format\": \""
                    + CheckpointStore.FORMAT
                    + "\", found " + format);
        }
        if (version == null || !version.isInt() || version.intValue() != CheckpointStore.FORMAT_VERSION) {
            throw new IllegalStateException(p + ": checkpoint formatVersion " + version + " is not supported; this "
                    + "build reads formatVersion " + CheckpointStore.FORMAT_VERSION + ". Resume with the spark-rnn "
                    + "version that wrote it, or start over with --fresh or a new output folder.");
        }
        return (ObjectNode) n;
    }

    static RoundTrainer.State state(ObjectNode st, FlatParams params, SafeTensorsFile o, String source) {
        long round = st.get("round").longValue();
        if (!st.get("round").canConvertToLong() || round < 0) {
            throw new IllegalArgumentException("round must be an integer >= 0, found " + st.get("round"));
        }
        double[] momentum = null;
        if (st.get("outerMomentum").booleanValue()) {
            momentum = vector(o, OUTER_MOMENTUM, DataType.DOUBLE, params.layout().size()).toDoubleVector();
        }
        Map<String, float[]> inner = null;
        if (!st.get("innerState").isNull()) {
            inner = new LinkedHashMap<>();
            for (JsonNode k : st.withArray("innerState")) {
                inner.put(k.asText(), vector(o, INNER_PREFIX + k.asText(), DataType.FLOAT, -1).toFloatVector());
            }
        }
        Map<Integer, float[]> states = new TreeMap<>();
        for (JsonNode p : st.withArray("partitions")) {
            states.put(p.intValue(), vector(o, partitionTensor(p.intValue()), DataType.FLOAT, -1).toFloatVector());
        }
        Map<Integer, KeptState> kept = null;
        Set<String> keptTensors = new HashSet<>();
        JsonNode k = st.get("kept");
        if (k != null && !k.isNull()) {
            if (!k.isArray()) {
                throw new IllegalArgumentException("'kept' must be null or an array, found " + k);
            }
            kept = new TreeMap<>();
            for (JsonNode e : k) {
                JsonNode p0 = e.get("partition");
                JsonNode s0 = e.get("steps");
                JsonNode names = e.get("names");
                if (p0 == null || !p0.canConvertToInt() || p0.intValue() < 0 || s0 == null || !s0.canConvertToLong()
                        || s0.longValue() < 0 || names == null || !names.isArray() || kept.containsKey(p0.intValue())) {
                    throw new IllegalArgumentException("'kept' entries need a distinct \"partition\" >= 0, "
                            + "\"steps\" >= 0 and an array of \"names\", found " + e);
                }
                int p = p0.intValue();
                long steps = s0.longValue();
                Map<String, float[]> vectors = new LinkedHashMap<>();
                for (JsonNode name : names) {
                    String t = keptTensor(p, name.asText());
                    vectors.put(name.asText(), vector(o, t, DataType.FLOAT, params.layout().size()).toFloatVector());
                    keptTensors.add(t);
                }
                kept.put(p, new KeptState(vectors, steps));
            }
        }
        for (Iterator<TensorInfo> it = o.tensors().iterator(); it.hasNext(); ) {
            String t = it.next().name();
            boolean known = keptTensors.contains(t)
                    || t.equals(OUTER_MOMENTUM) && momentum != null
                    || t.startsWith(INNER_PREFIX) && inner != null
                            && inner.containsKey(t.substring(INNER_PREFIX.length()))
                    || t.startsWith(PARTITION_PREFIX);
            if (!known) {
                throw new IllegalArgumentException("optimizer tensor '" + t + "' is not described by " + source);
            }
        }
        if (states.size() != o.tensors().stream().filter(t -> t.name().startsWith(PARTITION_PREFIX)).count()) {
            throw new IllegalArgumentException("partitions listed in " + source + " do not match the optimizer "
                    + "file's " + PARTITION_PREFIX + "* tensors");
        }
        return new RoundTrainer.State(round, params.flat().toFloatVector(), momentum,
                st.get("lrScale").doubleValue(), st.get("rejectionsInRow").intValue(), st.get("rejections").intValue(),
                states, inner, st.get("innerSteps").longValue(), kept);
    }

    static INDArray vector(SafeTensorsFile o, String name, DataType dtype,
            long length) {
        INDArray a = o.get(name);
        if (a.dataType() != dtype || a.rank() != 1 || (length >= 0 && a.length() != length)) {
            throw new IllegalArgumentException("tensor '" + name + "' must be a " + dtype + " vector"
                    + (length >= 0 ? " of " + length : "") + ", found " + a.dataType() + " "
                    + java.util.Arrays.toString(a.shape()));
        }
        return a;
    }

    static JsonNode object(ObjectNode st, String key) {
        JsonNode n = st.get(key);
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("'" + key + "' must be a JSON object, found " + n);
        }
        return n;
    }

    static RunInfo runInfo(ObjectNode st) {
        Map<String, Long> seeds = new LinkedHashMap<>();
        object(st, "seeds").fields().forEachRemaining(e -> seeds.put(e.getKey(), e.getValue().longValue()));
        Map<String, Long> counters = new LinkedHashMap<>();
        object(st, "counters").fields().forEachRemaining(e -> counters.put(e.getKey(), e.getValue().longValue()));
        Map<String, String> config = new LinkedHashMap<>();
        object(st, "config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        List<String> metrics = new ArrayList<>();
        st.withArray("metrics").forEach(m -> metrics.add(m.toString()));
        JsonNode v = st.get("validation");
        return new RunInfo(seeds, counters, config, metrics, v == null || v.isNull() ? null : v.doubleValue(),
                best(st));
    }

    /** The run's best round as {@code state.json} records it; null when it records none (or is older). */
    static RunInfo.Best best(JsonNode st) {
        JsonNode b = st.get("best");
        if (b == null || b.isNull()) {
            return null;
        }
        if (!b.isObject() || !b.path("metric").isTextual() || !b.path("round").canConvertToLong()
                || !b.path("value").isNumber() || !b.path("sinceBest").canConvertToInt()) {
            throw new IllegalArgumentException("'best' must be an object with metric, round, value and sinceBest, "
                    + "found " + b);
        }
        return new RunInfo.Best(b.get("metric").asText(), b.get("round").longValue(), b.get("value").doubleValue(),
                b.get("sinceBest").intValue());
    }
}
