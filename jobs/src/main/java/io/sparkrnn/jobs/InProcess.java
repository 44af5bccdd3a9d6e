package io.sparkrnn.jobs;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.classify.LabelledText;
import io.sparkrnn.driver.corpus.pairs.TextPair;
import io.sparkrnn.driver.corpus.tagging.TaggedSentence;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobConfig;
import io.sparkrnn.jobs.config.JobSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Training from code that runs inside a Spark application of its own (the Spark ML stages of
 * {@code io.sparkrnn.jobs.ml}): the {@code train} command's config and checks, its task's data preparation and its
 * run ({@link TrainingRun}: the round loop, validation, checkpoints, the model folder, eval.json), on the
 * application's running context and on records the caller gives instead of {@code data.train}.
 */
public final class InProcess {
    private InProcess() {
    }

    /**
     * Trains a classifier (task {@code classify}) on {@code texts}.
     *
     * @param settings {@code key=value} config settings, as {@code train --set} takes them (not {@code task},
     *     {@code data.train} or {@code output.dir})
     * @param source what the texts are, for messages and the model's config.conf ({@code data.train})
     * @param outputDir the run's output.dir (a local path or a URI), kept; null: a temporary folder, deleted once
     *     the model is read
     * @return the trained model folder
     * @throws ConfigException for bad settings, {@link InputException} for bad data
     */
    public static ModelFolder trainClassifier(JavaSparkContext sc, List<String> settings, String source,
            Function<JavaSparkContext, Corpus<LabelledText>> texts, String outputDir, PrintStream out) {
        return train(sc, "classify", settings, source, outputDir, out,
                job -> s -> ((ClassificationTask) Tasks.of(job.task())).prepare(s, job, texts));
    }

    /** As {@link #trainClassifier}, a tagger (task {@code tag}) on {@code sentences}. */
    public static ModelFolder trainTagger(JavaSparkContext sc, List<String> settings, String source,
            Function<JavaSparkContext, Corpus<TaggedSentence>> sentences, String outputDir, PrintStream out) {
        return train(sc, "tag", settings, source, outputDir, out,
                job -> s -> ((TaggingTask) Tasks.of(job.task())).prepare(s, job, sentences));
    }

    /** As {@link #trainClassifier}, an encoder-decoder (task {@code seq2seq}) on {@code pairs}. */
    public static ModelFolder trainSeq2Seq(JavaSparkContext sc, List<String> settings, String source,
            Function<JavaSparkContext, Corpus<TextPair>> pairs, String outputDir, PrintStream out) {
        return train(sc, "seq2seq", settings, source, outputDir, out,
                job -> s -> ((Seq2SeqTask) Tasks.of(job.task())).prepare(s, job, pairs));
    }

    /**
     * As {@link #trainClassifier}, a language model (task {@code lm}) on {@code lines}: rows of (file, 0-based row,
     * text) in corpus order, each text one line ({@code LmTextReader.readRows}).
     */
    public static ModelFolder trainLanguageModel(JavaSparkContext sc, List<String> settings, String source,
            Function<JavaSparkContext, JavaRDD<Row>> lines, String outputDir, PrintStream out) {
        return train(sc, "lm", settings, source, outputDir, out,
                job -> s -> ((LmTask) Tasks.of(job.task())).prepare(s, job, lines));
    }

    /**
     * As {@link #trainClassifier}, a forecaster (task {@code forecast}) on the series in {@code frame}: rows of (file,
     * 0-based row, the forecast.time-columns, then the forecast.features), in any order ({@code
     * ForecastReader.readFrame}).
     */
    public static ModelFolder trainForecaster(JavaSparkContext sc, List<String> settings, String source,
            Function<JavaSparkContext, Dataset<Row>> frame, String outputDir, PrintStream out) {
        return train(sc, "forecast", settings, source, outputDir, out,
                job -> s -> ((ForecastTask) Tasks.of(job.task())).prepare(s, job, frame));
    }

    /** How a task's data is prepared for a job. */
    private interface Preparation {
        Function<JavaSparkContext, io.sparkrnn.driver.task.PreparedData> of(JobSettings job);
    }

    private static ModelFolder train(JavaSparkContext sc, String task, List<String> settings, String source,
            String outputDir, PrintStream out, Preparation preparation) {
        for (String s : settings) {
            String key = s.contains("=") ? s.substring(0, s.indexOf('=')).trim() : s;
            if (key.equals("task") || key.equals("data.train") || key.equals("output.dir")) {
                throw new ConfigException(key + " is set by the caller here, not by a setting");
            }
        }
        Path temp = null;
        try {
            String dir = outputDir;
            if (dir == null) {
                temp = Files.createTempDirectory("spark-rnn-fit-");
                dir = temp.toString();
            }
            List<String> all = new ArrayList<>(settings);
            all.add("task=" + task);
            all.add("data.train=" + source);
            all.add("output.dir=" + dir);
            JobConfig cfg = JobConfig.load(null, all);
            // the records come from the caller: no data.train to check
            JobSettings job = JobSettings.forTraining(cfg, (key, path, format) -> { }, Runtime.getRuntime().maxMemory());
            Location output = Location.of(job.output().dir(), "output.dir");
            new TrainingRun(job, output, out, false, preparation.of(job)).run(sc);
            return ModelFolder.read(output.resolve("model").path().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a temporary output.dir", e);
        } finally {
            if (temp != null) {
                deleteTree(temp);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the temporary output.dir " + root, e);
        }
    }
}
