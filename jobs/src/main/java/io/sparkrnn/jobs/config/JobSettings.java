package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.corpus.forecast.ForecastColumns;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.SequenceSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A job's settings: typed, immutable sections of a {@link JobConfig}, built once by {@link #of} or
 * {@link #forTraining}, which run every check of the config: the schema's types and ranges (in {@link JobConfig}),
 * then the rules among keys (the optimizer's, the data format the task reads, bidirectional models, and the
 * task's own, {@link TaskRules}) and the learning-rate schedule's ({@link LearningRates}). Every section is built
 * whatever the task; a task reads its own and the shared ones.
 *
 * @param config   the checked config (its source for messages, its text for the saved model)
 * @param task     {@code task}
 * @param master   {@code spark.master}
 * @param data     the {@code data.*} keys every task reads
 * @param vocab    {@code vocab.*}
 * @param model    the {@code model.*} keys every task reads
 * @param train    {@code train.*} and {@code eval.every}
 * @param early    {@code train.early-stopping.*} and {@code train.final-model}: which round's model is written
 * @param output   {@code output.*} and {@code checkpoint.*}
 * @param decode   {@code decode.*} (seq2seq)
 * @param lm       the language model's keys
 * @param tagging  the tagger's keys
 * @param classify the classifier's keys
 * @param forecast the {@code forecast.*} keys: the forecaster's columns and sizes
 * @param seq2seq  seq2seq's reading and decoder keys
 * @param warm     what a warm start does with new tokens and a forecaster's normaliser
 */
public record JobSettings(JobConfig config, String task, String master, DataSection data, VocabSection vocab,
        ModelSection model, TrainSection train, EarlyStoppingSection early, OutputSection output, DecodeSection decode,
        LmSection lm, TaggingSection tagging, ClassifySection classify, ForecastColumns forecast,
        Seq2SeqSection seq2seq, WarmStartSection warm) {

    /** What a training run checks of an input path beyond the config (that it exists, in the given format). */
    @FunctionalInterface
    public interface InputCheck {
        /** Throws {@link ConfigException} naming {@code key} when {@code path} cannot be read. */
        void require(String key, String path, String format);
    }

    /**
     * The settings of a saved model's config (evaluate, predict, inspect): every rule of the config itself, but
     * not the training run's checks of its inputs and of the driver's memory.
     */
    public static JobSettings of(JobConfig c) {
        return build(c, null, 0);
    }

    /**
     * The settings of a training job, everything checked before Spark starts: the config's rules, the inputs
     * ({@code data.train}, {@code data.validation}) with {@code inputs}, and that the model's recurrent stack fits
     * a driver heap of {@code driverHeap} bytes.
     */
    public static JobSettings forTraining(JobConfig c, InputCheck inputs, long driverHeap) {
        return build(c, inputs, driverHeap);
    }

    private static JobSettings build(JobConfig c, InputCheck inputs, long driverHeap) {
        TrainSection.check(c);
        String task = c.getChoice("task");
        DataSection data = DataSection.of(c, task);
        List<String> formats = ConfigSchema.formats(task);
        if (!formats.contains(data.format())) {
            throw new ConfigException(c.source() + ": data.format = " + data.format() + " does not fit task = "
                    + task + "; expected one of " + String.join(" | ", formats));
        }
        if (inputs != null) {
            inputs.require("data.train", data.train(), data.format());
            if (!data.validation().isEmpty()) {
                inputs.require("data.validation", data.validation(), data.format());
            }
        }
        ModelSection model = ModelSection.of(c);
        int k1 = c.getInt("train.k1");
        int k2 = c.getInt("train.k2");
        if (model.bidirectional() && k2 != k1) {
            throw new ConfigException(c.source() + ": model.bidirectional = true needs train.k2 = train.k1 = " + k1
                    + ", found " + k2);
        }
        LmSection lm = LmSection.of(c);
        ForecastColumns forecast = forecast(c);
        Seq2SeqSection seq2seq = Seq2SeqSection.of(c);
        DecodeSection decode = DecodeSection.of(c);
        TaskRules.tokens(c, task);
        switch (task) {
            case "lm" -> TaskRules.lm(c, data, model, lm);
            case "classify" -> TaskRules.classify(c, data);
            case "forecast" -> TaskRules.forecast(c, data, forecast);
            case "seq2seq" -> TaskRules.seq2seq(c, data, model, seq2seq, decode);
            default -> TaskRules.heldOutParts(c, data); // tag
        }
        ClassifySection classify = ClassifySection.of(c, task);
        EarlyStoppingSection early = EarlyStoppingSection.of(c, task, TaskMetrics.validated(task, lm, data, seq2seq));
        if (driverHeap > 0) {
            requireRoom(c, model, driverHeap);
        }
        return new JobSettings(c, task, c.getString("spark.master"), data, VocabSection.of(c), model,
                TrainSection.of(c), early, OutputSection.of(c), decode, lm, TaggingSection.of(c), classify, forecast,
                seq2seq, WarmStartSection.of(c));
    }

    private static ForecastColumns forecast(JobConfig c) {
        return new ForecastColumns(list(c.getString("forecast.time-columns")), list(c.getString("forecast.features")),
                list(c.getString("forecast.targets")), c.getInt("forecast.window"), c.getInt("forecast.horizon"),
                c.getInt("forecast.season"), list(c.getString("forecast.calendar")), c.getBoolean("forecast.residual"),
                c.getInt("forecast.validation-rows"), c.getInt("forecast.test-rows"));
    }

    private static List<String> list(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    /**
     * Refuses, before Spark starts or any data is read, a model whose recurrent stack alone (a vocabulary of
     * one token, one output) cannot exist: more parameters than one float32 vector holds, or more than the
     * driver can keep three copies of (the parameters, the outer step's state and the round's average).
     */
    static void requireRoom(JobConfig c, ModelSection m, long driverHeap) {
        long params = new SequenceSpec(1, m.embedding(), -1, 0, m.cell(), m.hidden(), m.layers(), m.bidirectional(),
                m.dropout(), SequenceSpec.Topology.ALIGNED, null, 1, SequenceSpec.Loss.CROSS_ENTROPY, -100,
                m.ioDropout()).layout().size();
        String what = String.format(Locale.ROOT, "model.hidden = %d, model.layers = %d and model.embedding = %d "
                + "give at least %,d parameters before the vocabulary is known", m.hidden(), m.layers(),
                m.embedding(), params);
        if (params > Integer.MAX_VALUE - 8) {
            throw new ConfigException(c.source() + ": " + what + "; a model's parameters are one float32 vector "
                    + "of at most " + String.format(Locale.ROOT, "%,d", Integer.MAX_VALUE - 8));
        }
        if (params * Float.BYTES * 3 > driverHeap) {
            throw new ConfigException(c.source() + ": " + what + String.format(Locale.ROOT, " (%,d MiB as "
                    + "float32), and the driver keeps three copies in a heap of %,d MiB: make the model smaller "
                    + "or give the driver more memory (spark.driver.memory, or SPARK_RNN_JAVA_OPTS=-Xmx... for "
                    + "bin/spark-rnn)", params * Float.BYTES >> 20, driverHeap >> 20));
        }
    }

    /** Where the config came from, for messages. */
    public String source() {
        return config.source();
    }

    /** The seq2seq model of this config for the given vocabulary sizes. */
    public Seq2SeqSpec seq2seqSpec(int sourceVocab, int targetVocab) {
        return seq2seq.spec(model, decode, sourceVocab, targetVocab);
    }
}
