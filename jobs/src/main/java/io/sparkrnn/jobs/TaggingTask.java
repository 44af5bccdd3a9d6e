package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Lines;
import io.sparkrnn.driver.corpus.Part;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.batching.Encoded;
import io.sparkrnn.driver.corpus.tagging.TaggedSentence;
import io.sparkrnn.driver.corpus.tagging.MostFrequentTag;
import io.sparkrnn.driver.corpus.tagging.TaggingData;
import io.sparkrnn.driver.corpus.tagging.TaggingReader;
import io.sparkrnn.driver.corpus.tagging.TaggingSettings;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobSettings;
import io.sparkrnn.jobs.config.ModelSection;
import io.sparkrnn.jobs.config.TaggingSection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Sequence tagging (POS, NER, chunks) from Brown {@code word/TAG} lines or CoNLL columns: a seeded random
 * {@code data.validation-fraction} of the sentences is held out (see {@link TaggingData}) unless
 * {@code data.validation} names a corpus; word and tag vocabularies are fitted on the training sentences
 * (unknown words map to {@code <unk>}; a tag unseen in training to the tag {@code <unk>}, never predicted,
 * so it counts as an error). Sentences longer than {@code train.k1} are cut into pieces of k1 words for
 * training; evaluation and prediction see whole sentences. Metrics: token accuracy, per-tag and macro F1, the
 * most confused tag pairs; beside them the most-frequent-tag-per-word baseline's ({@link MostFrequentTag}, fitted on
 * the training part). With {@code data.tokens = bpe} the words are cut into byte-pair-encoding pieces (merges learned
 * on the training words, stored with the model) and a word's tag is predicted at its first piece; accuracy is still
 * per word.
 */
final class TaggingTask implements VocabularyTask {
    @Override
    public String name() {
        return "tag";
    }

    private static SequenceSpec spec(JobSettings job, int words, int tags) {
        ModelSection m = job.model();
        return SequenceSpec.tagger(words, m.embedding(), Vocabulary.PAD_ID, m.cell(), m.hidden(), m.layers(),
                m.bidirectional(), m.dropout(), tags).withIoDropout(m.ioDropout());
    }

    /** How the model's config reads sentences (training and {@code evaluate}). */
    static TaggingSettings.Reading reading(JobSettings c) {
        TaggingSection t = c.tagging();
        return new TaggingSettings.Reading(t.conllTokenColumn(), t.conllTagColumn(), t.stripTagSuffixes(),
                c.data().maxBadFraction(), t.lowercase());
    }

    private static TaggingSettings settings(JobSettings job, WarmVocabularies vocabularies) {
        return new TaggingSettings(job.data().format(), job.data().train(), job.data().validation(),
                reading(job), job.train().seed(), job.data().validationFraction(), job.data().testFraction(),
                job.vocab().minCount(),
                job.vocab().maxSize(), job.train().k1(), job.train().batch(), job.train().partitions(),
                (words, tags) -> spec(job, words, tags), vocabularies,
                job.tagging().tokens() == TokenUnit.BPE ? job.tagging().bpeMerges() : 0);
    }

    /**
     * The merges a tagger of byte-pair-encoding pieces stores ({@link Bpe#INPUT_FILE}), null for a tagger of words;
     * a damaged file is an {@link InputException} naming it and the line.
     */
    static Bpe inputMerges(TrainedModel m) {
        return m.inputMerges(m.settings().tagging().tokens());
    }

    /** The merges a warm start keeps: the parent's, for pieces. */
    @Override
    public Map<String, Bpe> merges(TrainedModel m) {
        Bpe bpe = inputMerges(m);
        return bpe == null ? Map.of() : Map.of(Bpe.INPUT_FILE, bpe);
    }

    @Override
    public Map<String, Vocabulary> vocabularies(TrainedModel m) {
        return Map.of(TaggingData.WORDS, m.vocabulary(TaggingData.WORDS, m.inputRows()), TaggingData.TAGS,
                m.vocabulary(TaggingData.TAGS, m.outputRows()));
    }

    @Override
    public PreparedData prepare(JavaSparkContext sc, JobSettings job, WarmVocabularies vocabularies) {
        try {
            return TaggingData.prepare(sc, settings(job, vocabularies));
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /**
     * As {@link #prepare}, on the sentences {@code sentences} gives (e.g. a Spark Dataset's rows; lower-cased here
     * when data.lowercase says so) instead of data.train.
     */
    PreparedData prepare(JavaSparkContext sc, JobSettings job,
            Function<JavaSparkContext, Corpus<TaggedSentence>> sentences) {
        try {
            Corpus<TaggedSentence> read = sentences.apply(sc);
            return TaggingData.prepare(sc, settings(job, WarmVocabularies.NONE), reading(job).lowercase() ? TaggingData.lowercase(read)
                    : read);
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    @Override
    public ObjectNode evaluate(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        Vocabulary words = m.vocabulary(TaggingData.WORDS, m.inputRows());
        Vocabulary tags = m.vocabulary(TaggingData.TAGS, m.outputRows());
        JavaRDD<TaggedSentence> scored = m.split(part, read(sc, m.settings(), data), TaggingData::splitKey);
        JavaRDD<Encoded> enc = TaggingData.encode(scored, inputMerges(m), words, tags);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        TaggingData.counts(sc, m.local(), enc, tags.size(), m.batch()).toJson(n, "", tags.tokens(), false);
        JavaRDD<TaggedSentence> train = m.trainingPart(part, data, path -> read(sc, m.settings(), path),
                TaggingData::splitKey);
        if (train != null) {
            MostFrequentTag.toJson(MostFrequentTag.fit(train).counts(scored, tags), n, "");
        }
        return n;
    }

    /** The model's sentences of {@code data}, read as its training data was. */
    private static JavaRDD<TaggedSentence> read(JavaSparkContext sc, JobSettings c, String data) {
        try {
            return TaggingData.read(sc, reading(c), c.data().format(), data).records();
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /**
     * Tags every sentence of {@code data} (the model's format, whose tags are ignored, or with
     * {@code --input-format text} plain lines of whitespace-separated words): rows (sentence index in input
     * order, {@code word/TAG ...}).
     */
    @Override
    public long predict(JavaSparkContext sc, TrainedModel m, String data, PredictionWriter out) {
        Vocabulary words = m.vocabulary(TaggingData.WORDS, m.inputRows());
        Vocabulary tags = m.vocabulary(TaggingData.TAGS, m.outputRows());
        JobSettings c = m.settings();
        String format = out.inputFormat() != null ? out.inputFormat() : c.data().format();
        JavaRDD<String[]> sentences;
        if (format.equals("text")) {
            BadRecords bad = new BadRecords(sc, data, c.data().maxBadFraction());
            sentences = Lines.read(sc, data, bad).map(l -> TokenUnit.WORDS.split(l.text())).filter(t -> t.length > 0);
        } else if (formats().contains(format)) {
            TaggingSection t = c.tagging();
            sentences = (format.equals("conll")
                    ? TaggingReader.conll(sc, data, t.conllTokenColumn(), t.conllTagColumn(),
                            c.data().maxBadFraction())
                    : TaggingReader.brown(sc, data, false, c.data().maxBadFraction()))
                    .records().map(TaggedSentence::tokens);
        } else {
            throw new ConfigException("--input-format for a tagger must be brown, conll or text, found " + format);
        }
        boolean lower = c.tagging().lowercase();
        JavaRDD<Object[]> rows = TaggingData.tag(sc, m.local(), sentences, words, tags, lower, inputMerges(m),
                m.batch());
        return out.write(sc, List.of(new PredictionWriter.Column("sentence", Long.class),
                new PredictionWriter.Column("tagged", String.class)), rows);
    }
}
