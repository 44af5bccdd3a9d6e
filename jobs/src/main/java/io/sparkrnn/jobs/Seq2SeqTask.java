package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Lines;
import io.sparkrnn.driver.corpus.Part;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqData;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqReferences;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqScores;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqSettings;
import io.sparkrnn.driver.corpus.pairs.Subwords;
import io.sparkrnn.driver.corpus.pairs.TextPair;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.ConfigSchema;
import io.sparkrnn.jobs.config.JobSettings;
import io.sparkrnn.jobs.config.Seq2SeqSection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * Sequence-to-sequence translation, e.g. grapheme-to-phoneme on CMUdict ({@code WORD  PH1 PH2 ...}; the source
 * is the word's characters, the target its phones), {@code source<TAB>target} lines or Parquet columns. The pairs
 * are split by a seeded hash of the source ({@link Seq2SeqData#part}: below {@code data.test-fraction} test, then
 * {@code data.validation-fraction} validation, the rest training; all pronunciations of a word land in one
 * part); pairs whose source is longer than {@code data.max-source-length} are skipped and counted. Source and
 * target vocabularies are fitted on the training part. The model is a {@link Seq2SeqModel} (Luong attention).
 * Metrics: token and sequence error rates named after the targets ({@link Seq2SeqScores.Names}: phoneme and
 * word error rate for CMUdict) and corpus BLEU-4 ({@link Seq2SeqScores}), greedy and, when {@code decode.beam > 1}, beam search; each source is decoded once and scored against the
 * closest of its references ({@link Seq2SeqReferences}: with CMUdict alternates, any pronunciation of the word).
 * Word-level targets are also scored as translations: sacreBLEU's BLEU and chrF on text, beside the copy-the-source
 * baseline ({@code copy_bleu}, {@code copy_chrf}). A {@code bpe} side ({@link Subwords}) is read as 13a words and cut
 * into byte-pair-encoding pieces learned on the training part ({@code data.bpe-merges}) and stored with the model;
 * outputs are joined back into words before they are scored or written.
 */
final class Seq2SeqTask implements VocabularyTask {
    /** The vocabularies' files in a model folder (export reads them). */
    static final String SOURCE = Seq2SeqData.SOURCE;
    static final String TARGET = Seq2SeqData.TARGET;
    private static final List<String> FORMATS = ConfigSchema.formats("seq2seq");

    @Override
    public String name() {
        return "seq2seq";
    }

    /** How the config reads pairs (training, {@code evaluate} and {@code predict}). */
    private static Seq2SeqSettings.Reading reading(JobSettings c) {
        Seq2SeqSection s = c.seq2seq();
        return new Seq2SeqSettings.Reading(s.alternates(), s.sourceTokens(), s.targetTokens(), s.sourceColumn(),
                s.targetColumn(), s.lowercase(), c.data().maxBadFraction());
    }

    /** Refuses a format there is no reader for (a config error, before any data is read). */
    private static void checkFormat(String format) {
        if (!FORMATS.contains(format)) {
            throw new ConfigException("a seq2seq model reads " + String.join(", ", FORMATS) + ", found " + format);
        }
    }

    /** The pairs of {@code path} in {@code format}, as the config reads them. */
    static Corpus<TextPair> read(JavaSparkContext sc, JobSettings c, String format, String path) {
        checkFormat(format);
        try {
            return Seq2SeqData.read(sc, reading(c), format, path);
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /** How tokens are joined back into text: characters without, words (and phones) with a space. */
    static String joiner(TokenUnit units, boolean source, String format) {
        return format.equals("cmudict") ? (source ? "" : " ") : Seq2SeqData.joiner(units);
    }

    private static Seq2SeqSettings settings(JobSettings job, WarmVocabularies vocabularies) {
        checkFormat(job.data().format());
        if (job.data().format().equals("cmudict")) {
            for (String key : List.of("data.source-tokens", "data.target-tokens")) {
                TokenUnit unit = key.equals("data.source-tokens") ? job.seq2seq().sourceTokens()
                        : job.seq2seq().targetTokens();
                if (unit == TokenUnit.BPE) {
                    throw new ConfigException(key + " = bpe: cmudict pairs are a word's characters and its phones, "
                            + "which are not cut into pieces; bpe applies to tsv, tsv-pairs and parquet");
                }
            }
        }
        return new Seq2SeqSettings(job.data().format(), job.data().train(), reading(job),
                job.seq2seq().maxSourceLength(), job.train().seed(), job.data().testFraction(),
                job.data().validationFraction(), job.vocab().minCount(), job.vocab().maxSize(), job.train().batch(),
                job.seq2seq().batchTokens(), job.train().partitions(), job.decode().settings(), job::seq2seqSpec, vocabularies,
                job.seq2seq().bpeMerges());
    }

    /** The split a fresh training run of {@code job} trains on ({@link Seq2SeqData#split}), read from data.train. */
    static Seq2SeqData.Split split(JavaSparkContext sc, JobSettings job) {
        Seq2SeqSettings s = settings(job, WarmVocabularies.NONE);
        try {
            return Seq2SeqData.split(read(sc, job, s.format(), s.train()).records(), s);
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    @Override
    public Map<String, Vocabulary> vocabularies(TrainedModel m) {
        Seq2SeqSpec spec = m.model(Seq2SeqModel.class).spec();
        return Map.of(SOURCE, m.vocabulary(SOURCE, spec.sourceVocab()), TARGET, m.vocabulary(TARGET,
                spec.targetVocab()));
    }

    @Override
    public PreparedData prepare(JavaSparkContext sc, JobSettings job, WarmVocabularies vocabularies) {
        try {
            return Seq2SeqData.prepare(sc, settings(job, vocabularies));
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /** As {@link #prepare}, on the pairs {@code pairs} gives (e.g. a Spark Dataset's rows) instead of data.train. */
    PreparedData prepare(JavaSparkContext sc, JobSettings job, Function<JavaSparkContext, Corpus<TextPair>> pairs) {
        try {
            return Seq2SeqData.prepare(sc, settings(job, WarmVocabularies.NONE), pairs.apply(sc));
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    static Vocabulary vocab(TrainedModel m, String name) {
        return Vocabulary.fromText(m.file(name), name);
    }

    /**
     * The byte-pair-encoding merges the model folder stores for its {@code bpe} sides ({@link Subwords#NONE} for a
     * model without); a damaged merges file is an {@link InputException} naming it and the line.
     */
    static Subwords subwords(TrainedModel m) {
        try {
            return Subwords.read(reading(m.settings()), m::file, m.dir().toString());
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /** The merges a warm start keeps: the parent's, by file name. */
    @Override
    public Map<String, Bpe> merges(TrainedModel m) {
        Subwords s = subwords(m);
        Map<String, Bpe> out = new java.util.HashMap<>();
        if (s.source() != null) {
            out.put(Subwords.SOURCE, s.source());
        }
        if (s.target() != null) {
            out.put(Subwords.TARGET, s.target());
        }
        return out;
    }

    /**
     * Greedy (and beam, as configured) scores on every source of {@code data} that fits the model, each against
     * its closest reference (all of its pairs' targets).
     */
    @Override
    public ObjectNode evaluate(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        JobSettings c = m.settings();
        int maxSource = m.model(Seq2SeqModel.class).spec().maxSourceLength();
        JavaRDD<TextPair> all = read(sc, c, c.data().format(), data).records();
        if (part != Part.ALL) {
            long seed = c.train().seed();
            double testF = c.data().testFraction();
            double validF = c.data().validationFraction();
            if (part == Part.TEST && !(testF > 0)) {
                throw new ConfigException("--part test: the model in " + m.dir() + " was trained with "
                        + "data.test-fraction = 0, so its corpus has no test part; use --part validation");
            }
            all = Seq2SeqData.part(all, part, seed, testF, validF);
        }
        Vocabulary tgt = vocab(m, TARGET);
        Subwords sw = subwords(m);
        JavaRDD<Seq2SeqReferences> enc = Seq2SeqReferences.group(all.filter(p -> sw.source(p.source()).length
                <= maxSource), vocab(m, SOURCE), tgt, joiner(c.seq2seq().sourceTokens(), true, c.data().format()),
                joiner(c.seq2seq().targetTokens(), false, c.data().format()), sw)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        LocalModel lm = m.local();
        Seq2SeqDecoding.Settings decode = c.decode().settings();
        Seq2SeqScores.Names names = Seq2SeqScores.Names.of(c.data().format(), c.seq2seq().targetTokens());
        Vocabulary words = names == Seq2SeqScores.Names.WORDS ? tgt : null;
        Seq2SeqData.scores(sc, lm, enc, decode.greedy(), m.batch(), words, sw).toJson(n, "", names);
        if (words != null) {
            Seq2SeqData.copyBaseline(enc).toJson(n, "copy_");
        }
        int beam = decode.beam();
        if (beam > 1) {
            n.put("beam", beam);
            Seq2SeqData.scores(sc, lm, enc, decode, m.batch(), words, sw).toJson(n, "beam_", names);
        }
        n.put("skipped_long_sources", all.filter(p -> sw.source(p.source()).length > maxSource).count());
        enc.unpersist(false);
        return n;
    }

    /**
     * Translates every source of {@code data} (the model's format, whose targets are ignored, or with
     * {@code --input-format lines} one source a line): rows (source, prediction, score = the length-normalised
     * log-probability), with beam search when {@code decode.beam > 1}. A source longer than the model's
     * {@code data.max-source-length} gets an empty prediction and score NaN.
     */
    @Override
    public long predict(JavaSparkContext sc, TrainedModel m, String data, PredictionWriter out) {
        JobSettings c = m.settings();
        String format = out.inputFormat() != null ? out.inputFormat() : c.data().format();
        JavaRDD<String[]> sources;
        if (format.equals("lines")) {
            Seq2SeqSettings.Reading r = reading(c);
            boolean cmudict = c.data().format().equals("cmudict");
            BadRecords bad = new BadRecords(sc, data, c.data().maxBadFraction());
            sources = Lines.read(sc, data, bad).map(l -> cmudict ? TokenUnit.CHARS.split(l.text())
                    : r.tokenizeSource(l.text())).filter(s -> s.length > 0);
        } else if (formats().contains(format)) {
            sources = read(sc, c, format, data).records().map(TextPair::source);
        } else {
            throw new ConfigException("--input-format for a seq2seq model must be " + String.join(", ", FORMATS)
                    + " or lines, found " + format);
        }
        Vocabulary src = vocab(m, SOURCE);
        Vocabulary tgt = vocab(m, TARGET);
        String srcJoin = joiner(c.seq2seq().sourceTokens(), true, c.data().format());
        String tgtJoin = joiner(c.seq2seq().targetTokens(), false, c.data().format());
        JavaRDD<Object[]> rows = Seq2SeqData.translate(sc, m.local(), sources, src, tgt, srcJoin, tgtJoin, subwords(m),
                m.model(Seq2SeqModel.class).spec().maxSourceLength(), c.decode().settings(), m.batch());
        return out.write(sc, List.of(new PredictionWriter.Column("source", String.class),
                new PredictionWriter.Column("prediction", String.class),
                new PredictionWriter.Column("score", Double.class)), rows);
    }
}
