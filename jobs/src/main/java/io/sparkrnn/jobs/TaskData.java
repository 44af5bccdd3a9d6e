package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.round.PartitionData;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.param.FlatParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.apache.spark.api.java.JavaRDD;

/** A task's data, prepared for one training run. */
interface TaskData {
    /** The model to train (sizes from the vocabularies or columns). */
    ModelSpec spec();

    /**
     * Files saved beside the model and in every checkpoint (vocabularies, labels, normaliser); a checkpoint whose
     * files differ is not resumed (the data changed).
     */
    Map<String, byte[]> files();

    /**
     * The seeded initial weights. This and {@link #saveModel} and {@link #describeModel} are the model's only
     * uses in the shared loop: a task with another kind of model (encoder-decoder) overrides the three.
     */
    default FlatParams initParams(long seed) {
        return new SequenceModel(spec()).initParams(seed, DataType.FLOAT);
    }

    /** Writes {@code model.json} and {@code weights.safetensors} into {@code dir}. */
    default void saveModel(Path dir, FlatParams params, Map<String, String> provenance) throws IOException {
        ModelFiles.save(dir, new SequenceModel(spec()), params, null, 0, provenance);
    }

    /** The console line on the model. */
    default String describeModel() {
        ModelSpec s = spec();
        return String.format(Locale.ROOT, "model: %s %s%d x %d, %,d parameters", s.cell().name().toLowerCase(
                Locale.ROOT), s.bidirectional() ? "bidirectional " : "", s.numLayers(), s.hiddenSize(),
                new SequenceModel(s).layout().size());
    }

    /** The training partitions for the round loop (persisted). */
    JavaRDD<PartitionData> train();

    /** One or two console lines on the data: sizes of the parts and vocabularies. */
    String describe();

    /** Validation metrics, without the {@code valid_} prefix, for metrics.jsonl and the console. */
    Validation validate(FlatParams params);

    /** The final evaluation for eval.json ({@code task} and the run counters are added by the caller). */
    ObjectNode evaluate(FlatParams params);

    /**
     * Named metrics in order (the first is shown on the console) and a score where lower is better (kept with
     * each checkpoint).
     */
    record Validation(Map<String, Double> metrics, double lowerIsBetter) {
        static Validation of(double lowerIsBetter, Object... nameValue) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (int i = 0; i < nameValue.length; i += 2) {
                m.put((String) nameValue[i], ((Number) nameValue[i + 1]).doubleValue());
            }
            return new Validation(m, lowerIsBetter);
        }
    }
}
