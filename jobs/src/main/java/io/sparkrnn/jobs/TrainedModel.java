package io.sparkrnn.jobs;

import io.sparkrnn.driver.corpus.Part;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Splits;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.engine.model.Model;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobConfig;
import io.sparkrnn.jobs.config.JobSettings;
import java.io.IOException;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A trained model folder ({@code <output.dir>/model}): the weights, the resolved config it was trained with
 * ({@code config.conf}, which names the task and the data settings evaluate and predict reuse) and the task's
 * files (vocabularies, normaliser). The model is of either family, as {@code model.json} says.
 */
record TrainedModel(Location dir, ModelFiles.Loaded loaded, JobSettings settings, Task task) {

    /** Accepts the run's output.dir or its model/ folder. */
    static TrainedModel open(String arg) {
        return open(arg, List.of());
    }

    /**
     * As {@link #open(String)}, with {@code key=value} overrides of the saved config for this command only (the
     * decoding settings {@code decode.*} of evaluate and predict); checked as {@code train --set} is.
     */
    static TrainedModel open(String arg, List<String> overrides) {
        Location p = Location.of(arg, "<model-dir>");
        boolean hasModel;
        try {
            if (p.resolve("model").resolve(ModelFiles.MODEL_JSON).exists()) {
                p = p.resolve("model");
            }
            hasModel = p.resolve(ModelFiles.MODEL_JSON).exists();
        } catch (IOException e) {
            throw new InputException("cannot read the model in " + p + ": " + e.getMessage());
        }
        if (!hasModel) {
            throw new ConfigException("no model in " + p + " (expected " + ModelFiles.MODEL_JSON + ")");
        }
        if (!ModelManifest.verify(p)) {
            System.err.println("spark-rnn: warning: the model in " + p + " has no " + ModelManifest.NAME
                    + " (written before model folders had one): its files are not verified");
        }
        ModelFiles.Loaded m;
        try {
            m = ModelFiles.load(p.folder(), DataType.FLOAT);
        } catch (IOException e) {
            throw new InputException("cannot load the model in " + p + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        Location conf = p.resolve("config.conf");
        String saved;
        try {
            saved = conf.exists() ? conf.readString() : null;
        } catch (IOException e) {
            throw new InputException("cannot read " + conf + ": " + e.getMessage());
        }
        JobSettings s = JobSettings.of(JobConfig.loadSaved(saved, conf.toString(), overrides));
        return new TrainedModel(p, m, s, Tasks.of(s.task()));
    }

    /**
     * The vocabulary file {@code name} of a sequence model, which must hold exactly {@code rows} tokens (its
     * embedding's rows or its head's classes, {@link #inputRows} and {@link #outputRows}): a file cut short, emptied
     * or from another model is bad input naming the file.
     */
    Vocabulary vocabulary(String name, int rows) {
        Vocabulary v;
        try {
            v = Vocabulary.fromText(file(name), dir.resolve(name).toString());
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        if (v.size() != rows) {
            throw new InputException(dir.resolve(name) + " holds " + v.size() + " tokens, but the model has " + rows
                    + " for it: the vocabulary and the weights do not belong together");
        }
        return v;
    }

    /** The embedding rows of a sequence model (its input vocabulary). */
    int inputRows() {
        return model(SequenceModel.class).spec().vocabSize();
    }

    /** The classes of a sequence model's head (tags, labels). */
    int outputRows() {
        return model(SequenceModel.class).spec().outputSize();
    }

    /** A task file of the model, as text. */
    String file(String name) {
        try {
            return dir.resolve(name).readString();
        } catch (IOException e) {
            throw new InputException("the model in " + dir + " lacks " + name + ": " + e.getMessage());
        }
    }

    /**
     * The byte-pair-encoding merges of a model whose inputs are {@code unit}: {@link Bpe#INPUT_FILE} for
     * {@link TokenUnit#BPE}, null for another unit; a damaged file is an {@link InputException} naming it and the line.
     */
    Bpe inputMerges(TokenUnit unit) {
        if (unit != TokenUnit.BPE) {
            return null;
        }
        try {
            return Bpe.fromText(file(Bpe.INPUT_FILE), dir + "/" + Bpe.INPUT_FILE);
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /**
     * The model as {@code family}, for a task that only works with that family (an lm's sampler, a seq2seq task's
     * decoder); a folder whose {@code model.json} holds the other family is refused naming the folder.
     */
    <M extends Model> M model(Class<M> family) {
        try {
            return loaded.model().as(family);
        } catch (IllegalArgumentException e) {
            throw new InputException("the model in " + dir + ": " + e.getMessage());
        }
    }

    /** The model and its weights, to broadcast to evaluation and prediction tasks. */
    LocalModel local() {
        return LocalModel.of(loaded.spec(), loaded.params());
    }

    /**
     * The examples of {@code all} in {@code part} of the seeded split as training drew it with this model's
     * {@code train.seed}, {@code data.validation-fraction} and {@code data.test-fraction}; without a test part
     * (test fraction 0) {@code --part test} is a {@link ConfigException} naming the task.
     */
    <T> JavaRDD<T> split(Part part, JavaRDD<T> all, Function<T, String> key) {
        double test = settings.data().testFraction();
        if (part == Part.TEST && !(test > 0)) {
            throw new ConfigException("--part test: this " + task.name() + " model holds out only a validation part "
                    + "(data.test-fraction = 0); use --part validation");
        }
        return part.split(all, settings.train().seed(), settings.data().validationFraction(), test, key);
    }

    /**
     * The training part of the model's corpus, on which the baselines {@code evaluate} reports beside the model are
     * fitted: with {@code --part validation} or {@code test} the examples of {@code data} (the training corpus,
     * perhaps moved) that the split kept for training; else those of {@code data.train} in config.conf (all of it when
     * {@code data.validation} named another corpus). Null when that corpus is no longer there: evaluate then
     * reports the model alone.
     */
    <T> JavaRDD<T> trainingPart(Part part, String data, java.util.function.Function<String, JavaRDD<T>> read,
            Function<T, String> key) {
        String corpus = part == Part.ALL ? settings.data().train() : data;
        try {
            Location where = Location.of(corpus, "data.train");
            org.apache.hadoop.fs.FileStatus[] found = where.fs().globStatus(where.path());
            if (found == null || found.length == 0) {
                return null;
            }
        } catch (IOException e) {
            throw new InputException("cannot read " + corpus + ": " + e.getMessage());
        }
        JavaRDD<T> all = read.apply(corpus);
        return part == Part.VALIDATION || settings.data().validation().isEmpty()
                ? Splits.trainingPart(all, settings.train().seed(), settings.data().validationFraction()
                        + settings.data().testFraction(), key) : all;
    }

    /** Rows per batch in evaluation and prediction: the training batch. */
    int batch() {
        return settings.train().batch();
    }
}
