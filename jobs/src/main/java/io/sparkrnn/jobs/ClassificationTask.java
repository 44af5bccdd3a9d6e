package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Lines;
import io.sparkrnn.driver.corpus.Part;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.batching.Encoded;
import io.sparkrnn.driver.corpus.classify.ClassificationBaselines;
import io.sparkrnn.driver.corpus.classify.ClassificationData;
import io.sparkrnn.driver.corpus.classify.ClassificationSettings;
import io.sparkrnn.driver.corpus.classify.LabelledText;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobSettings;
import io.sparkrnn.jobs.config.ModelSection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * Text classification from {@code label<TAB>text} lines or one folder per label: a seeded random
 * {@code data.validation-fraction} of the texts is held out ({@link ClassificationData}, keyed by the file's
 * folder and name and the text; seeded random, not stratified) unless {@code data.validation} names a corpus.
 * Texts are cut into characters, words or words' byte-pair-encoding pieces (optionally lower-cased; {@code bpe}: the
 * merges learned on the training part, stored with the model) and only the first {@code data.max-length} tokens are
 * kept; the vocabulary is fitted on the training texts. Metrics: accuracy, per-class precision /
 * recall / F1, confusion matrix; the labels are exactly the training texts' labels (no {@code <unk>} class). Beside
 * them the baselines' ({@link ClassificationBaselines}: the majority label and a bag-of-words naive Bayes), fitted
 * on the training part.
 */
final class ClassificationTask implements VocabularyTask {
    @Override
    public String name() {
        return "classify";
    }

    private static SequenceSpec spec(JobSettings job, int words, int classes) {
        ModelSection m = job.model();
        return SequenceSpec.classifier(words, m.embedding(), Vocabulary.PAD_ID, m.cell(), m.hidden(), m.layers(),
                m.bidirectional(), m.dropout(), m.pooling(), classes).withIoDropout(m.ioDropout());
    }

    /** How the model's config reads texts (training, {@code evaluate} and {@code predict}). */
    static ClassificationSettings.Reading reading(JobSettings c) {
        return new ClassificationSettings.Reading(new LinkedHashMap<>(c.classify().folderLabels()),
                c.data().maxBadFraction());
    }

    /** How the config turns a text into tokens: unit, case, length cap (a {@code bpe} unit without its merges). */
    static ClassificationSettings.Tokenizer tokenizer(JobSettings c) {
        return new ClassificationSettings.Tokenizer(c.classify().tokens(), c.classify().lowercase(),
                c.classify().maxLength());
    }

    /**
     * How the model turns a text into tokens: its config's settings and, for {@code data.tokens = bpe}, the merges
     * its folder stores ({@link Bpe#INPUT_FILE}; a damaged file is an {@link InputException} naming it and the line).
     */
    static ClassificationSettings.Tokenizer tokenizer(TrainedModel m) {
        ClassificationSettings.Tokenizer tok = tokenizer(m.settings());
        Bpe bpe = inputMerges(m, tok.unit());
        return bpe == null ? tok : tok.withBpe(bpe);
    }

    /** The merges a model folder stores for {@code bpe} inputs, null for another unit. */
    static Bpe inputMerges(TrainedModel m, TokenUnit unit) {
        return m.inputMerges(unit);
    }

    /** The merges a warm start keeps: the parent's, for {@code bpe} tokens. */
    @Override
    public Map<String, Bpe> merges(TrainedModel m) {
        Bpe bpe = inputMerges(m, m.settings().classify().tokens());
        return bpe == null ? Map.of() : Map.of(Bpe.INPUT_FILE, bpe);
    }

    private static ClassificationSettings settings(JobSettings job, WarmVocabularies vocabularies) {
        return new ClassificationSettings(job.data().format(), job.data().train(), job.data().validation(),
                reading(job), tokenizer(job), job.train().seed(), job.data().validationFraction(),
                job.data().testFraction(),
                job.vocab().minCount(), job.vocab().maxSize(), job.train().batch(), job.train().partitions(),
                (words, classes) -> spec(job, words, classes), vocabularies, job.classify().bpeMerges());
    }

    @Override
    public Map<String, Vocabulary> vocabularies(TrainedModel m) {
        return Map.of(ClassificationData.WORDS, m.vocabulary(ClassificationData.WORDS, m.inputRows()),
                ClassificationData.LABELS, m.vocabulary(ClassificationData.LABELS, m.outputRows()));
    }

    @Override
    public PreparedData prepare(JavaSparkContext sc, JobSettings job, WarmVocabularies vocabularies) {
        try {
            return ClassificationData.prepare(sc, settings(job, vocabularies));
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /** As {@link #prepare}, on the texts {@code texts} gives (e.g. a Spark Dataset's rows) instead of data.train. */
    PreparedData prepare(JavaSparkContext sc, JobSettings job, Function<JavaSparkContext, Corpus<LabelledText>> texts) {
        try {
            return ClassificationData.prepare(sc, settings(job, WarmVocabularies.NONE), texts.apply(sc));
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /** The model's texts of {@code data} in {@code format}. */
    private static JavaRDD<LabelledText> read(JavaSparkContext sc, JobSettings c, String format, String data) {
        try {
            return ClassificationData.read(sc, reading(c), format, data).records();
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    @Override
    public ObjectNode evaluate(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        Vocabulary words = m.vocabulary(ClassificationData.WORDS, m.inputRows());
        Vocabulary labels = m.vocabulary(ClassificationData.LABELS, m.outputRows());
        JavaRDD<LabelledText> texts = m.split(part, read(sc, m.settings(), m.settings().data().format(), data),
                ClassificationData::splitKey);
        JavaRDD<Encoded> enc = Encoded.classification(texts, tokenizer(m)::tokens, words, labels);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ClassificationData.counts(sc, m.local(), enc, labels.size(), m.batch()).toJson(n, "", labels.tokens(), true);
        JobSettings c = m.settings();
        JavaRDD<LabelledText> train = m.trainingPart(part, data, path -> read(sc, c, c.data().format(), path),
                ClassificationData::splitKey);
        if (train != null) {
            try {
                ClassificationBaselines.score(sc, train, texts, tokenizer(m), labels, c.vocab().maxSize())
                        .toJson(n, "");
            } catch (CorpusException e) {
                throw new InputException(e.getMessage());
            }
        }
        return n;
    }

    /**
     * Classifies every text of {@code data} (the model's format, labels ignored, or with
     * {@code --input-format lines} one text a line): rows (id, predicted label, its probability); the id is the
     * file for folders, else file:line number.
     */
    @Override
    public long predict(JavaSparkContext sc, TrainedModel m, String data, PredictionWriter out) {
        Vocabulary words = m.vocabulary(ClassificationData.WORDS, m.inputRows());
        Vocabulary labels = m.vocabulary(ClassificationData.LABELS, m.outputRows());
        JobSettings c = m.settings();
        String format = out.inputFormat() != null ? out.inputFormat() : c.data().format();
        JavaRDD<Tuple2<String, String>> texts;
        if (format.equals("folders")) {
            texts = read(sc, c, format, data).map(d -> new Tuple2<>(d.file(), d.text()));
        } else if (format.equals("tsv") || format.equals("lines")) {
            boolean tsv = format.equals("tsv");
            BadRecords bad = new BadRecords(sc, data, c.data().maxBadFraction());
            texts = Lines.read(sc, data, bad).filter(l -> !l.text().isBlank()).map(l -> {
                int tab = tsv ? l.text().indexOf('\t') : -1;
                return new Tuple2<>(l.file() + ":" + l.number(), tab >= 0 ? l.text().substring(tab + 1) : l.text());
            });
        } else {
            throw new ConfigException("--input-format for a classifier must be tsv, folders or lines, found " + format);
        }
        JavaRDD<Object[]> rows = ClassificationData.classify(sc, m.local(), texts, words, labels, tokenizer(m),
                m.batch());
        return out.write(sc, List.of(new PredictionWriter.Column("id", String.class),
                new PredictionWriter.Column("label", String.class),
                new PredictionWriter.Column("probability", Double.class)), rows);
    }
}
