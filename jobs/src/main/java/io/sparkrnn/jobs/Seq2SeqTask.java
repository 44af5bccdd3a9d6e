package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Lines;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqData;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqReferences;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqScores;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqSettings;
import io.sparkrnn.driver.corpus.pairs.TextPair;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import java.util.List;
import java.util.Locale;
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
 * baseline ({@code copy_bleu}, {@code copy_chrf}).
 */
final class Seq2SeqTask implements Task {
    /** The vocabularies' files in a model folder (export reads them). */
    static final String SOURCE = Seq2SeqData.SOURCE;
    static final String TARGET = Seq2SeqData.TARGET;
    private static final List<String> FORMATS = Seq2SeqData.FORMATS;

    @Override
    public String name() {
        return "seq2seq";
    }

    @Override
    public List<String> formats() {
        return FORMATS;
    }

    @Override
    public String defaultFormat() {
        return "cmudict";
    }

    @Override
    public void check(JobConfig c) {
        String where = c.source() + ": ";
        try {
            spec(c, 8, 8);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + "model.attention, model.input-feeding, model.decoder-hidden: "
                    + e.getMessage());
        }
        if (!(c.getDouble("data.validation-fraction") > 0)) {
            throw new ConfigException(where + "task = seq2seq needs data.validation-fraction > 0");
        }
        if (!c.getString("data.validation").isEmpty()) {
            throw new ConfigException(where + "task = seq2seq splits data.train by a seeded hash "
                    + "(data.validation-fraction, data.test-fraction); data.validation is not used, leave it empty");
        }
        if (c.getDouble("data.validation-fraction") + c.getDouble("data.test-fraction") >= 1) {
            throw new ConfigException(where + "data.validation-fraction + data.test-fraction must be < 1");
        }
        if (format(c).equals("tsv-pairs")) {
            for (String key : List.of("data.source-column", "data.target-column")) {
                try {
                    Seq2SeqData.column(c.getString(key));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(where + key + ": " + e.getMessage());
                }
            }
        }
        if (c.getInt("train.engine-threads") != 1) {
            throw new ConfigException(where + "task = seq2seq trains on one engine thread per task: expected "
                    + "train.engine-threads = 1, found " + c.getInt("train.engine-threads"));
        }
    }

    /** The model of the config for the given vocabulary sizes. */
    static Seq2SeqSpec spec(JobConfig c, int sourceVocab, int targetVocab) {
        int hidden = c.getInt("model.hidden");
        boolean bidi = c.getBoolean("model.bidirectional");
        int decHidden = c.getInt("model.decoder-hidden") == 0 ? (bidi ? 2 : 1) * hidden
                : c.getInt("model.decoder-hidden");
        int decLayers = c.getInt("model.decoder-layers") == 0 ? c.getInt("model.layers")
                : c.getInt("model.decoder-layers");
        int e = c.getInt("model.embedding");
        return new Seq2SeqSpec(sourceVocab, targetVocab, e, e, CellType.parse(c.getChoice("model.cell")), hidden,
                c.getInt("model.layers"), bidi, decHidden, decLayers, c.getDouble("model.dropout"),
                Seq2SeqSpec.Attention.valueOf(c.getChoice("model.attention").toUpperCase(Locale.ROOT)),
                c.getBoolean("model.input-feeding"), Vocabulary.PAD_ID, Vocabulary.BOS_ID, Vocabulary.EOS_ID,
                c.getInt("data.max-source-length"), c.getDouble("decode.max-length-ratio"));
    }

    private static String format(JobConfig c) {
        String f = c.getChoice("data.format");
        return f.equals("auto") ? "cmudict" : f;
    }

    private static TokenUnit units(JobConfig c, String key) {
        return switch (c.getChoice(key)) {
            case "char" -> TokenUnit.CHARS;
            case "13a" -> TokenUnit.WORDS_13A;
            default -> TokenUnit.WORDS;
        };
    }

    /** How the config reads pairs (training, {@code evaluate} and {@code predict}). */
    private static Seq2SeqSettings.Reading reading(JobConfig c) {
        return new Seq2SeqSettings.Reading(c.getBoolean("data.alternates"), units(c, "data.source-tokens"),
                units(c, "data.target-tokens"), c.getString("data.source-column"), c.getString("data.target-column"),
                c.getBoolean("data.lowercase"), c.getDouble("data.max-bad-fraction"));
    }

    /** Refuses a format there is no reader for (a config error, before any data is read). */
    private static void checkFormat(String format) {
        if (!FORMATS.contains(format)) {
            throw new ConfigException("a seq2seq model reads " + String.join(", ", FORMATS) + ", found " + format);
        }
    }

    /** The pairs of {@code path} in {@code format}, as the config reads them. */
    static Corpus<TextPair> read(JavaSparkContext sc, JobConfig c, String format, String path) {
        checkFormat(format);
        try {
            return Seq2SeqData.read(sc, reading(c), format, path);
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /** How tokens are joined back into text: characters without, words (and phones) with a space. */
    static String joiner(JobConfig c, String key, String format) {
        return format.equals("cmudict") ? (key.equals("data.source-tokens") ? "" : " ")
                : Seq2SeqData.joiner(units(c, key));
    }

    @Override
    public PreparedData prepare(JavaSparkContext sc, TrainCommand.Job job, JobConfig c) {
        checkFormat(job.format());
        Seq2SeqSettings s = new Seq2SeqSettings(job.format(), job.train(), reading(c),
                c.getInt("data.max-source-length"), job.seed(), c.getDouble("data.test-fraction"),
                job.validationFraction(), c.getInt("vocab.min-count"), c.getInt("vocab.max-size"), job.batch(),
                job.partitions(), c.getInt("decode.beam"), c.getDouble("decode.alpha"),
                (source, target) -> spec(c, source, target));
        try {
            return Seq2SeqData.prepare(sc, s);
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    private static Vocabulary vocab(TrainedModel m, String name) {
        return Vocabulary.fromText(m.file(name), name);
    }

    /**
     * Greedy (and beam, as configured) scores on every source of {@code data} that fits the model, each against
     * its closest reference (all of its pairs' targets).
     */
    @Override
    public ObjectNode evaluate(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        JobConfig c = m.config();
        int maxSource = m.model(Seq2SeqModel.class).spec().maxSourceLength();
        JavaRDD<TextPair> all = read(sc, c, format(c), data).records();
        if (part != Part.ALL) {
            long seed = c.getInt("train.seed");
            double testF = c.getDouble("data.test-fraction");
            double validF = c.getDouble("data.validation-fraction");
            if (part == Part.TEST && !(testF > 0)) {
                throw new ConfigException("--part test: the model in " + m.dir() + " was trained with "
                        + "data.test-fraction = 0, so its corpus has no test part; use --part validation");
            }
            int wanted = part == Part.TEST ? 0 : 1;
            all = all.filter(p -> Seq2SeqData.part(seed, p, testF, validF) == wanted);
        }
        Vocabulary tgt = vocab(m, TARGET);
        JavaRDD<Seq2SeqReferences> enc = Seq2SeqReferences.group(all.filter(p -> p.source().length <= maxSource),
                vocab(m, SOURCE), tgt, joiner(c, "data.source-tokens", format(c)),
                joiner(c, "data.target-tokens", format(c))).persist(StorageLevel.MEMORY_AND_DISK_SER());
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        LocalModel lm = m.local();
        double alpha = c.getDouble("decode.alpha");
        Seq2SeqScores.Names names = Seq2SeqScores.Names.of(format(c), units(c, "data.target-tokens"));
        Vocabulary words = names == Seq2SeqScores.Names.WORDS ? tgt : null;
        Seq2SeqData.scores(sc, lm, enc, 1, alpha, m.batch(), words).toJson(n, "", names);
        if (words != null) {
            Seq2SeqData.copyBaseline(enc).toJson(n, "copy_");
        }
        int beam = c.getInt("decode.beam");
        if (beam > 1) {
            n.put("beam", beam);
            Seq2SeqData.scores(sc, lm, enc, beam, alpha, m.batch(), words).toJson(n, "beam_", names);
        }
        n.put("skipped_long_sources", all.filter(p -> p.source().length > maxSource).count());
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
        JobConfig c = m.config();
        String format = out.inputFormat() != null ? out.inputFormat() : format(c);
        JavaRDD<String[]> sources;
        if (format.equals("lines")) {
            Seq2SeqSettings.Reading r = reading(c);
            boolean cmudict = format(c).equals("cmudict");
            BadRecords bad = new BadRecords(sc, data, c.getDouble("data.max-bad-fraction"));
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
        String srcJoin = joiner(c, "data.source-tokens", format(c));
        String tgtJoin = joiner(c, "data.target-tokens", format(c));
        JavaRDD<Object[]> rows = Seq2SeqData.translate(sc, m.local(), sources, src, tgt, srcJoin, tgtJoin,
                m.model(Seq2SeqModel.class).spec().maxSourceLength(), c.getInt("decode.beam"),
                c.getDouble("decode.alpha"), m.batch());
        return out.write(sc, List.of(new PredictionWriter.Column("source", String.class),
                new PredictionWriter.Column("prediction", String.class),
                new PredictionWriter.Column("score", Double.class)), rows);
    }
}
