package io.sparkrnn.driver.task;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.round.TrainingPartition;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.param.FlatParams;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;

/**
 * A task's data, prepared for one training run.
 *
 * @param spec the model to train (sizes from the vocabularies or columns). The run builds, initialises, trains,
 *     saves and describes it through this spec alone; saved with every checkpoint and compared field by field on
 *     resume.
 * @param files files saved beside the model and in every checkpoint (vocabularies, labels, normaliser); a
 *     checkpoint whose files differ is not resumed (the data changed).
 * @param train the training partitions for the round loop (persisted).
 * @param describe one or two console lines on the data: sizes of the parts and vocabularies.
 * @param heldOut the validation and final evaluation on the held-out part.
 */
public record PreparedData(ModelSpec spec, Map<String, byte[]> files, JavaRDD<? extends TrainingPartition<?>> train,
        String describe, HeldOut heldOut) {

    /** The held-out part's metrics for a model's parameters. */
    public interface HeldOut {
        /** Validation metrics, without the {@code valid_} prefix, for metrics.jsonl and the console. */
        Validation validate(FlatParams params);

        /** The final evaluation for eval.json ({@code task} and the run counters are added by the caller). */
        ObjectNode evaluate(FlatParams params);

        static HeldOut of(Function<FlatParams, Validation> validate, Function<FlatParams, ObjectNode> evaluate) {
            return new HeldOut() {
                @Override
                public Validation validate(FlatParams params) {
                    return validate.apply(params);
                }

                @Override
                public ObjectNode evaluate(FlatParams params) {
                    return evaluate.apply(params);
                }
            };
        }
    }

    /**
     * Named metrics in order (the first is shown on the console), a score where lower is better (kept with
     * each checkpoint), and details that are not numbers (e.g. {@code samples}: the model's outputs on fixed
     * held-out examples), each written to metrics.jsonl under its name with the {@code valid_} prefix; null when
     * there are none.
     */
    public record Validation(Map<String, Double> metrics, double lowerIsBetter, ObjectNode details) {
        /** A validation from its score and alternating metric names and values. */
        public static Validation of(double lowerIsBetter, Object... nameValue) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (int i = 0; i < nameValue.length; i += 2) {
                m.put((String) nameValue[i], ((Number) nameValue[i + 1]).doubleValue());
            }
            return new Validation(m, lowerIsBetter, null);
        }

        /** This validation with {@code details}. */
        public Validation withDetails(ObjectNode details) {
            return new Validation(metrics, lowerIsBetter, details);
        }
    }
}
