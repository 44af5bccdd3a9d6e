package io.sparkrnn.jobs;

import io.sparkrnn.driver.corpus.classify.ClassificationData;
import io.sparkrnn.driver.corpus.classify.ClassificationSettings;
import io.sparkrnn.driver.corpus.forecast.ForecastColumns;
import io.sparkrnn.driver.corpus.forecast.ForecastData;
import io.sparkrnn.driver.corpus.forecast.Normalizer;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqData;
import io.sparkrnn.driver.corpus.pairs.Subwords;
import io.sparkrnn.driver.corpus.tagging.TaggingData;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A trained model folder held in memory: its files by name (model.json, weights.safetensors, the vocabularies,
 * config.conf, MANIFEST.sha256) and what the tasks' prediction code needs of them, for code that keeps a model
 * inside objects of its own (the Spark ML stages of {@code io.sparkrnn.jobs.ml}) and writes it where it likes.
 * What {@link #write} writes is a folder that {@code predict}, {@code evaluate} and {@code inspect} read.
 */
public final class ModelFolder {
    private final Map<String, byte[]> files;
    private final TrainedModel model;
    /** The task's prediction parts, read with the folder (a Classifier, Tagger, Translator, Forecaster or LmGenerator). */
    private final Object parts;

    private ModelFolder(Map<String, byte[]> files, TrainedModel model) {
        this.files = files;
        this.model = model;
        this.parts = switch (model.task().name()) {
            case "classify" -> new Classifier(model.local(), model.vocabulary(ClassificationData.WORDS,
                    model.inputRows()), model.vocabulary(ClassificationData.LABELS, model.outputRows()),
                    ClassificationTask.tokenizer(model), model.batch());
            case "tag" -> new Tagger(model.local(), model.vocabulary(TaggingData.WORDS, model.inputRows()),
                    model.vocabulary(TaggingData.TAGS, model.outputRows()), model.settings().tagging().lowercase(),
                    TaggingTask.inputMerges(model), model.batch());
            case "seq2seq" -> new Translator(model.local(), Seq2SeqTask.vocab(model, Seq2SeqTask.SOURCE),
                    Seq2SeqTask.vocab(model, Seq2SeqTask.TARGET), model.settings().seq2seq().sourceTokens(),
                    Seq2SeqTask.joiner(model.settings().seq2seq().targetTokens(), false,
                            model.settings().data().format()), Seq2SeqTask.subwords(model),
                    model.model(Seq2SeqModel.class).spec()
                            .maxSourceLength(), model.settings().decode().settings(), model.batch());
            case "lm" -> LmGenerator.of(model);
            case "forecast" -> new Forecaster(model.local(), model.settings().forecast(),
                    Normalizer.fromJson(model.file(ForecastData.NORMALIZER)), model.batch());
            default -> null;
        };
    }

    /**
     * Reads the model folder {@code dir} (a run's output.dir or its model folder; a local path or a URI), checked
     * as {@code predict} checks it.
     */
    public static ModelFolder read(String dir) {
        TrainedModel m = TrainedModel.open(dir);
        Map<String, byte[]> files = new TreeMap<>();
        try {
            for (String name : m.dir().list(true)) {
                files.put(name, m.dir().resolve(name).readBytes());
            }
        } catch (IOException e) {
            throw new InputException("cannot read the model in " + m.dir() + ": " + e.getMessage());
        }
        return new ModelFolder(Collections.unmodifiableMap(files), m);
    }

    /** Writes every file into the folder {@code dir} (a local path or a URI; created), then checks its manifest. */
    public void write(String dir) {
        Location to = Location.of(dir, "model folder");
        try {
            to.mkdirs();
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                to.resolve(f.getKey()).write(out -> out.write(f.getValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model to " + to, e);
        }
        ModelManifest.verify(to);
    }

    /** The model's task, config key {@code task}. */
    public String task() {
        return model.task().name();
    }

    /** What a classifier predicts with; throws {@link IllegalArgumentException} for a model of another task. */
    public Classifier classifier() {
        requireTask("classify");
        return (Classifier) parts;
    }

    /** What a tagger predicts with; throws {@link IllegalArgumentException} for a model of another task. */
    public Tagger tagger() {
        requireTask("tag");
        return (Tagger) parts;
    }

    /** What an encoder-decoder predicts with; throws {@link IllegalArgumentException} for a model of another task. */
    public Translator translator() {
        requireTask("seq2seq");
        return (Translator) parts;
    }

    /** What a language model generates with; throws {@link IllegalArgumentException} for a model of another task. */
    public LmGenerator generator() {
        requireTask("lm");
        return (LmGenerator) parts;
    }

    /** What a forecaster predicts with; throws {@link IllegalArgumentException} for a model of another task. */
    public Forecaster forecaster() {
        requireTask("forecast");
        return (Forecaster) parts;
    }

    private void requireTask(String task) {
        if (!task().equals(task)) {
            throw new IllegalArgumentException("this is a " + task() + " model, not a " + task);
        }
    }

    /**
     * A classifier as {@code predict} runs it ({@link ClassificationData#probabilities}).
     *
     * @param model the model and its weights, to broadcast
     * @param words the input vocabulary
     * @param labels the labels, in the order of the model's outputs
     * @param tokenizer how a text becomes tokens
     * @param batch texts per batch
     */
    public record Classifier(LocalModel model, Vocabulary words, Vocabulary labels,
            ClassificationSettings.Tokenizer tokenizer, int batch) {
    }

    /**
     * An encoder-decoder as {@code predict} runs it ({@link Seq2SeqData#translations}).
     *
     * @param model the model and its weights, to broadcast
     * @param source the source vocabulary
     * @param target the target vocabulary
     * @param sourceTokens how a source text becomes tokens
     * @param targetJoin what joins the output's tokens
     * @param subwords the byte-pair encodings of the {@code bpe} sides (sources are cut, outputs joined into words)
     * @param maxSourceLength the longest source decoded (a longer one gets an empty output)
     * @param decode how to decode (beam 1: greedy)
     * @param batch sources per batch
     */
    public record Translator(LocalModel model, Vocabulary source, Vocabulary target, TokenUnit sourceTokens,
            String targetJoin, Subwords subwords, int maxSourceLength, Seq2SeqDecoding.Settings decode, int batch) {
    }

    /**
     * A forecaster as {@code predict} runs it ({@link ForecastData#forecast}).
     *
     * @param model the model and its weights, to broadcast
     * @param columns the series' columns, window, horizon and split of training
     * @param normalizer the features' normaliser fitted in training ({@code normalizer.json})
     * @param batch windows per batch
     */
    public record Forecaster(LocalModel model, ForecastColumns columns, Normalizer normalizer, int batch) {
    }

    /**
     * A tagger as {@code predict} runs it ({@link TaggingData#tags}).
     *
     * @param model the model and its weights, to broadcast
     * @param words the input vocabulary
     * @param tags the tags, in the order of the model's outputs
     * @param lowercase whether words are lower-cased first
     * @param bpe the merges that cut words into the model's pieces, or null for a model of words
     * @param batch sentences per batch
     */
    public record Tagger(LocalModel model, Vocabulary words, Vocabulary tags, boolean lowercase, Bpe bpe,
            int batch) {
    }
}
