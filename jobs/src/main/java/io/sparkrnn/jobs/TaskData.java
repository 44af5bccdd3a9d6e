package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.round.ReplicaSetup;
import io.sparkrnn.driver.round.TrainingPartition;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.FlatParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.api.buffer.DataType;

/** A task's data, prepared for one training run. */
interface TaskData {
    /**
     * The model to train (sizes from the vocabularies or columns): a {@link SequenceSpec}, which the defaults below
     * build as a {@link SequenceModel}, or another spec record (a {@code Seq2SeqSpec}) whose task overrides
     * {@link #setup}, {@link #initParams}, {@link #saveModel} and {@link #describeModel}. Saved with every
     * checkpoint and compared field by field on resume.
     */
    Record spec();

    /** What every replica of the round loop builds its model and optimizer from. */
    default ReplicaSetup setup(TrainCommand.Job job) {
        return job.withSpec(sequenceSpec()).setup();
    }

    private SequenceSpec sequenceSpec() {
        return (SequenceSpec) spec();
    }

    /**
     * Files saved beside the model and in every checkpoint (vocabularies, labels, normaliser); a checkpoint whose
     * files differ is not resumed (the data changed).
     */
    Map<String, byte[]> files();

    /**
     * The seeded initial weights. This, {@link #setup}, {@link #saveModel} and {@link #describeModel} are the
     * model's only uses in the shared loop: a task with another kind of model (encoder-decoder) overrides them.
     */
    default FlatParams initParams(long seed) {
        return new SequenceModel(sequenceSpec()).initParams(seed, DataType.FLOAT);
    }

    /** Writes {@code model.json} and {@code weights.safetensors} into {@code dir}. */
    default void saveModel(Path dir, FlatParams params, Map<String, String> provenance) throws IOException {
        ModelFiles.save(dir, new SequenceModel(sequenceSpec()), params, null, 0, provenance);
    }

    /** The console line on the model. */
    default String describeModel() {
        SequenceSpec s = sequenceSpec();
        return String.format(Locale.ROOT, "model: %s %s%d x %d, %,d parameters", s.cell().name().toLowerCase(
                Locale.ROOT), s.bidirectional() ? "bidirectional " : "", s.numLayers(), s.hiddenSize(),
                new SequenceModel(s).layout().size());
    }

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
