package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.checkpoint.ModelTrainingState;
import io.sparkrnn.driver.corpus.forecast.Normalizer;
import io.sparkrnn.driver.corpus.lm.CharCorpus;
import io.sparkrnn.driver.corpus.lm.LmData;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.VocabularyGrowth;
import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.driver.round.InnerStatePolicy;
import io.sparkrnn.driver.round.KeptState;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobConfig;
import io.sparkrnn.jobs.config.JobSettings;
import io.sparkrnn.jobs.registry.Registry;
import io.sparkrnn.jobs.registry.Version;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code train --warm-start <model>}: a run that continues a trained model (docs/tasks.md, "Warm start"). The
 * architecture is the parent's (its {@code config.conf}: {@link #ARCHITECTURE}); the round counter, and with it the
 * data order and the learning-rate schedule, continues from the parent's round; the outer momentum and the inner
 * optimizer state continue when the optimizer settings are the parent's; each partition's carried recurrent state
 * continues when the data settings are the parent's. Every vocabulary (a language model's, a tagger's words and
 * tags, a classifier's tokens and labels, a seq2seq model's source and target) is the parent's, extended by the new
 * data's tokens or not ({@code vocab.on-new-tokens}), its rows grown by {@link RowGrowth}; a forecaster keeps the
 * parent's normaliser or fits one on the new data ({@code forecast.normalizer}). The written model names its
 * parent in {@link #PARENT_JSON}.
 */
final class WarmStart {
    /** The file of a warm-started model that names its parent. */
    static final String PARENT_JSON = "parent.json";
    static final String REGISTRY = "registry:";
    /** Keys that make the model what it is: taken from the parent, refused when the run's config gives others. */
    static final List<String> ARCHITECTURE = List.of("task", "model.", "data.tokens", "data.source-tokens",
            "data.target-tokens", "forecast.features", "forecast.targets", "forecast.calendar", "forecast.horizon",
            "forecast.residual");
    /** Keys whose change restarts the inner optimizer state (its vectors would not fit or mean the same). */
    private static final List<String> INNER = List.of("train.optimizer", "train.inner-state");
    /** Keys whose change restarts each partition's carried recurrent state (another stream at that position). */
    private static final List<String> STREAM = List.of("data.train", "data.format", "train.partitions",
            "train.batch", "train.k1");

    private final TrainedModel parent;
    private final String weightsSha256;
    private final RoundTrainer.State state;

    private WarmStart(TrainedModel parent, String weightsSha256, RoundTrainer.State state) {
        this.parent = parent;
        this.weightsSha256 = weightsSha256;
        this.state = state;
    }

    /**
     * The model folder a warm-start reference names: a path on any file system ({@link Location}), the run's
     * output.dir or its {@code model/} folder; or {@code registry:<root>#<name>[@<version>]}, a version of the model
     * registry under {@code <root>} (any file system; the name follows the last {@code #}), the serving one (CURRENT)
     * when no version is given, checked against its manifest. The one place that turns a reference into a folder.
     */
    static Location resolve(String ref) {
        if (!ref.startsWith(REGISTRY)) {
            return Location.of(ref, "--warm-start");
        }
        String rest = ref.substring(REGISTRY.length());
        int hash = rest.lastIndexOf('#');
        if (hash <= 0 || hash == rest.length() - 1) {
            throw new ConfigException("--warm-start " + ref + ": expected registry:<root>#<name>[@<version>], e.g. "
                    + "registry:hdfs://nn/models#char-lm or registry:out/registry#char-lm@3");
        }
        Registry registry = Registry.open(Location.of(rest.substring(0, hash), "--warm-start registry root"));
        Version v = registry.resolve(rest.substring(hash + 1));
        registry.verify(v);
        return v.model();
    }

    /**
     * The parent model, verified against its manifest and loaded with its training state: a damaged folder is
     * {@link InputException}, before anything is written.
     */
    static WarmStart open(String ref) {
        TrainedModel m = TrainedModel.open(resolve(ref).toString());
        Location weights = m.dir().resolve(ModelFiles.WEIGHTS);
        Location json = m.dir().resolve(ModelTrainingState.JSON);
        try {
            String sha = ModelManifest.sha256(weights);
            if (!json.exists()) {
                return new WarmStart(m, sha, null);
            }
            byte[] tensors = m.dir().resolve(ModelTrainingState.TENSORS).readBytes();
            return new WarmStart(m, sha, ModelTrainingState.decode(json.readBytes(), tensors, m.loaded().params(),
                    m.dir().toString()));
        } catch (IOException e) {
            throw new InputException("cannot read the training state of the model in " + m.dir() + ": "
                    + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
    }

    /** Rounds the parent was trained for; the run continues with round {@code round() + 1}. */
    long round() {
        return state == null ? 0 : state.round();
    }

    /**
     * The parent model as it was opened (read and checked against its manifest), for callers that need it again:
     * refresh scores it as the serving version.
     */
    TrainedModel parent() {
        return parent;
    }

    static boolean isArchitecture(String key) {
        return ARCHITECTURE.stream().anyMatch(a -> a.endsWith(".") ? key.startsWith(a) : key.equals(a));
    }

    /**
     * The run's config: {@code file} and {@code sets} with the parent's architecture, and {@code train.rounds} the
     * parent's rounds plus the rounds given (the round counter the written model records). An architecture key that
     * the file or a {@code --set} gives another value is refused, every such key named with both values.
     */
    JobConfig config(Path file, List<String> sets) {
        JobConfig given = JobConfig.load(file, sets);
        Map<String, String> mine = given.asStrings();
        Map<String, String> theirs = parent.settings().config().asStrings();
        List<String> contradictions = new ArrayList<>();
        List<String> overrides = new ArrayList<>(sets);
        theirs.forEach((k, v) -> {
            if (isArchitecture(k)) {
                if (given.isGiven(k) && !v.equals(mine.get(k))) {
                    contradictions.add(k + " = " + mine.get(k) + " (the parent's is " + v + ")");
                }
                overrides.add(k + "=" + v);
            }
        });
        if (!contradictions.isEmpty()) {
            throw new ConfigException(given.source() + ": --warm-start " + parent.dir() + ": the architecture comes "
                    + "from the parent model, and " + contradictions.size() + " key(s) contradict it: "
                    + String.join("; ", contradictions) + ". Leave them out or give the parent's values");
        }
        overrides.add("train.rounds=" + Math.addExact(round(), (long) given.getInt("train.rounds")));
        return JobConfig.load(file, overrides);
    }

    /**
     * Refuses an output.dir whose model is the parent (the run would replace what it reads, and the parent's
     * checkpoints would be taken for this run's).
     */
    void checkOutput(Location output) {
        if (output.path().equals(parent.dir().path()) || output.path().equals(parent.dir().path().getParent())) {
            throw new ConfigException("output.dir " + output + " holds the parent model of --warm-start; write the "
                    + "continued model to another output.dir");
        }
    }

    /**
     * The run's data: on the parent's vocabularies, grown or not ({@code vocab.on-new-tokens}), or a forecaster's
     * on the parent's normaliser or a refitted one ({@code forecast.normalizer}).
     */
    PreparedData prepare(Task task, JavaSparkContext sc, JobSettings job) {
        boolean extend = job.warm().extendVocabulary();
        if (task instanceof LmTask lm) {
            return lm.prepare(sc, job, new VocabularyGrowth(lmVocabulary(), extend), LmTask.merges(parent));
        }
        if (task instanceof VocabularyTask v) {
            return v.prepare(sc, job, new WarmVocabularies(v.vocabularies(parent), extend, v.merges(parent)));
        }
        if (task instanceof ForecastTask forecast) {
            return forecast.prepare(sc, job, job.warm().refitNormalizer() ? null : forecastNormalizer());
        }
        throw new IllegalStateException("a warm start of task = " + task.name() + " is not defined");
    }

    private byte[] parentFile(String name) {
        try {
            Location f = parent.dir().resolve(name);
            return f.exists() ? f.readBytes() : null;
        } catch (IOException e) {
            throw new InputException("cannot read " + parent.dir().resolve(name) + ": " + e.getMessage());
        }
    }

    /** The parent forecaster's normaliser ({@code forecast.normalizer = keep}). */
    private Normalizer forecastNormalizer() {
        try {
            return Normalizer.fromJson(parent.file(ForecastTask.NORMALIZER));
        } catch (IllegalArgumentException e) {
            throw new InputException(parent.dir().resolve(ForecastTask.NORMALIZER) + ": " + e.getMessage());
        }
    }

    /** The parent language model's vocabulary, as the reader's tokens (characters as one-code-point strings). */
    private Vocabulary lmVocabulary() {
        TokenUnit unit = parent.settings().lm().tokens();
        String name = LmVocabulary.file(unit);
        Vocabulary v;
        if (unit == TokenUnit.CHARS) {
            List<String> tokens = new ArrayList<>();
            String where = parent.dir().resolve(name).toString();
            try {
                for (int cp : CharCorpus.parseVocabulary(parentFile(name), where)) {
                    tokens.add(Character.toString(cp));
                }
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new InputException(where + ": not a character vocabulary: " + e.getMessage());
            }
            v = Vocabulary.of(tokens);
        } else {
            v = parent.vocabulary(LmData.WORDS, parent.inputRows());
        }
        if (v.size() != parent.inputRows()) {
            throw new InputException(parent.dir().resolve(name) + " holds " + v.size() + " tokens, but the model's "
                    + "embedding has " + parent.inputRows() + " rows");
        }
        return v;
    }

    /**
     * The state the run starts from: the parent's weights (grown by fresh rows, drawn from {@code fresh}, when the
     * vocabulary was extended), its round counter and learning-rate back-off, and the parts of its optimizer and
     * recurrent state that this run's settings let continue; the console says which.
     */
    RoundTrainer.State initial(ModelSpec spec, FlatParams fresh, PreparedData data, JobSettings job,
            PrintStream out) {
        JobConfig c = job.config();
        ModelSpec was = parent.loaded().spec();
        RowGrowth growth;
        try {
            growth = spec.equals(was) ? null : new RowGrowth(was.layout(), spec.layout());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--warm-start " + parent.dir() + ": " + e.getMessage());
        }
        float[] weights = parent.loaded().params().flat().toFloatVector();
        float[] params = growth == null ? weights : growth.grow(weights, fresh.flat().toFloatVector());
        out.printf(Locale.ROOT, "warm start from %s: round %d (weights sha256 %s)%s%n", parent.dir(), round(), weightsSha256,
                growth == null ? "" : "; embedding and output rows of the new tokens freshly initialised");
        if (state == null) {
            out.println("  the parent model has no " + ModelTrainingState.JSON + " (written before models kept "
                    + "it): the round counter, learning-rate schedule and optimizer state start over");
            return new RoundTrainer.State(0, params, null, 1.0, 0, 0, Map.of(), null, 0);
        }
        boolean sameOuter = same(c, List.of("train.outer")) && state.outerMomentum() != null;
        boolean sameInner = same(c, INNER);
        boolean sameStream = same(c, STREAM) && data.files().entrySet().stream()
                .allMatch(f -> Arrays.equals(f.getValue(), parentFile(f.getKey())));
        double[] momentum = !sameOuter ? null
                : growth == null ? state.outerMomentum() : growth.grow(state.outerMomentum());
        Map<String, float[]> inner = sameInner && state.innerState() != null ? grow(state.innerState(), growth) : null;
        Map<Integer, KeptState> kept = null;
        if (sameInner && state.kept() != null) {
            kept = new TreeMap<>();
            for (Map.Entry<Integer, KeptState> e : state.kept().entrySet()) {
                kept.put(e.getKey(), new KeptState(grow(e.getValue().vectors(), growth), e.getValue().steps()));
            }
        }
        String innerNote = job.train().round().innerState() == InnerStatePolicy.RESET ? "is reset every round (train.inner-state"
                + " = reset)" : continues(inner != null || kept != null, String.join(", ", INNER));
        out.printf(Locale.ROOT, "  continues: round counter and learning-rate schedule; outer momentum %s; inner "
                + "optimizer state %s; recurrent state of each partition %s%n", continues(sameOuter, "train.outer"),
                innerNote, continues(sameStream, "the data or " + String.join(", ", STREAM.subList(1,
                        STREAM.size()))));
        return new RoundTrainer.State(state.round(), params, momentum, state.lrScale(), state.rejectionsInRow(),
                state.rejections(), sameStream ? state.states() : Map.of(), inner, state.innerSteps(), kept);
    }

    private static String continues(boolean yes, String what) {
        return yes ? "continues" : "restarts (" + what + " differ from the parent's, or it had none)";
    }

    private boolean same(JobConfig c, List<String> keys) {
        Map<String, String> theirs = parent.settings().config().asStrings();
        Map<String, String> mine = c.asStrings();
        return keys.stream().allMatch(k -> Objects.equals(theirs.get(k), mine.get(k)));
    }

    private static Map<String, float[]> grow(Map<String, float[]> vectors, RowGrowth growth) {
        Map<String, float[]> out = new LinkedHashMap<>();
        vectors.forEach((k, v) -> out.put(k, growth == null ? v : growth.grow(v, null)));
        return out;
    }

    /** {@link #PARENT_JSON}: the parent's folder, the sha256 of its weights and its round. */
    Map<String, byte[]> parentJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("format", "spark-rnn-parent");
        n.put("formatVersion", 1);
        n.put("path", parent.dir().absolute());
        n.put("weightsSha256", weightsSha256);
        n.put("round", round());
        return Map.of(PARENT_JSON, (n.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** What eval.json records of the warm start. */
    ObjectNode report() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("parent", parent.dir().absolute());
        n.put("parent_weights_sha256", weightsSha256);
        n.put("parent_round", round());
        return n;
    }
}
