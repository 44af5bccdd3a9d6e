package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.round.TrainingPartition;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.param.FlatParams;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;

/** A task's data, prepared for one training run. */
interface TaskData {
    /**
     * The model to train (sizes from the vocabularies or columns). The run builds, initialises, trains, saves and
     * describes it through this spec alone; saved with every checkpoint and compared field by field on resume.
     */
    ModelSpec spec();

    /**
     * Files saved beside the model and in every checkpoint (vocabularies, labels, normaliser); a checkpoint whose
     * files differ is not resumed (the data changed).
     */
    Map<String, byte[]> files();

    /** The training partitions for the round loop (persisted). */
    JavaRDD<? extends TrainingPartition<?>> train();

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
