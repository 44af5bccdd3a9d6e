package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.Part;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.ConfigSchema;
import io.sparkrnn.jobs.config.JobSettings;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One kind of model the command line trains, evaluates and predicts with. {@link TrainingRun} owns what every
 * task shares (rounds, metrics, validation schedule, checkpoints and resume, the final model and eval.json); a
 * task supplies the model spec and turns the sections of {@link JobSettings} it reads into the settings of its
 * data class in {@code driver} (e.g. {@code TaggingData}), which reads, splits, fits the vocabularies, builds the
 * training partitions and runs the validation, evaluation and prediction jobs; the task maps the driver's
 * errors to {@link ConfigException} and {@link InputException}. Its formats and the rules among its config keys
 * are in the config package ({@link ConfigSchema#formats}, checked when {@link JobSettings} is built). A new task
 * implements this interface and registers in {@link Tasks}.
 */
interface Task {
    /** The value of config key {@code task}. */
    String name();

    /** Values of {@code data.format} this task reads; {@link #defaultFormat} is used for {@code auto}. */
    default List<String> formats() {
        return ConfigSchema.formats(name());
    }

    default String defaultFormat() {
        return formats().get(0);
    }

    /**
     * The data of a training run, prepared in {@code driver} from its settings: read and split, the vocabularies
     * fitted on the training part, the partitions built.
     */
    PreparedData prepare(JavaSparkContext sc, JobSettings job);

    /** Whether evaluate and predict need Spark (false: they run on the driver, as the language model's do). */
    default boolean usesSpark() {
        return true;
    }

    /**
     * {@code evaluate <model> --data <path> [--part ...]}: the task's metrics on {@code data}, or on its held-out
     * {@code part} as training split it off (throws {@link ConfigException} for a part the task does not have),
     * as eval.json would hold them. {@code sc} is null for {@link Part#ALL} when {@link #usesSpark} is false.
     */
    ObjectNode evaluate(JavaSparkContext sc, TrainedModel model, String data, Part part);

    /** {@code predict <model> --data <path> --output <dir>}: writes predictions; returns the rows written. */
    long predict(JavaSparkContext sc, TrainedModel model, String data, PredictionWriter out);
}
