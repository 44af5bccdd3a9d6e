package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Part;
import io.sparkrnn.driver.corpus.lm.CharCorpus;
import io.sparkrnn.driver.corpus.lm.LmCorpus;
import io.sparkrnn.driver.corpus.lm.LmData;
import io.sparkrnn.driver.corpus.lm.LmEvaluation;
import io.sparkrnn.driver.corpus.lm.LmOptions;
import io.sparkrnn.driver.corpus.lm.LmSettings;
import io.sparkrnn.driver.corpus.lm.LmTextReader;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.VocabularyGrowth;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobSettings;
import io.sparkrnn.jobs.config.ModelSection;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;

/**
 * Language model on text read by {@link LmTextReader} on the executors: a file, a folder or a glob (local,
 * {@code hdfs://}), or a string column of Parquet files (one row a line); characters, whitespace-separated words, or
 * the words' byte-pair-encoding pieces ({@code data.tokens}; words and pieces end each line with {@code <eos>}; pieces
 * are scored per piece and per word, the merges stored with the model). The last {@code data.validation-fraction} of
 * the corpus (files in path order) is held out; validation is bits per token with the state carried through the
 * held-out text, computed on the driver. Evaluate and predict (text generation) run on the driver too.
 */
final class LmTask implements Task {
    @Override
    public String name() {
        return "lm";
    }

    private static SequenceSpec lm(JobSettings job, int vocab) {
        ModelSection m = job.model();
        return SequenceSpec.languageModel(vocab, m.embedding(), m.cell(), m.hidden(), m.layers(), m.dropout())
                .withIoDropout(m.ioDropout());
    }

    /** Reader options from the config: characters keep every code point; words use vocab.min-count / max-size. */
    static LmOptions options(JobSettings s) {
        return options(s, null);
    }

    /**
     * As {@link #options(JobSettings)}; byte-pair-encoding pieces are cut with {@code merges} (a model's or a warm
     * start's parent's), or null to learn data.bpe-merges of them on the text's words.
     */
    static LmOptions options(JobSettings s, Bpe merges) {
        TokenUnit unit = s.lm().tokens();
        LmOptions o = unit == TokenUnit.CHARS ? LmOptions.chars()
                : (unit == TokenUnit.BPE ? LmOptions.pieces(s.lm().bpeMerges(), merges) : LmOptions.words())
                        .withVocabulary(s.vocab().minCount(), s.vocab().maxSize());
        return o.withPartitions(s.train().partitions(), s.train().batch(), s.train().k1())
                .withValidationFraction(s.data().validationFraction()).withMaxBadFraction(s.data().maxBadFraction());
    }

    private static LmCorpus read(JavaSparkContext sc, String format, String path, JobSettings s, LmOptions o) {
        try {
            return LmData.read(sc, format, path, s.lm().textColumn(), o);
        } catch (CorpusException e) {
            throw oneLine(e);
        }
    }

    /** One line, as every reason the command prints (the bad-line examples follow on indented lines). */
    private static InputException oneLine(CorpusException e) {
        return new InputException(e.getMessage().replaceAll("\\s*\\n\\s*", "; "));
    }

    @Override
    public PreparedData prepare(JavaSparkContext sc, JobSettings job) {
        return prepare(sc, job, (VocabularyGrowth) null);
    }

    /** The data on a warm start's vocabulary ({@link VocabularyGrowth}; null: the text's own, as usual). */
    PreparedData prepare(JavaSparkContext sc, JobSettings job, VocabularyGrowth growth) {
        return prepare(sc, job, growth, null);
    }

    /**
     * The data on a warm start's vocabulary and, for byte-pair-encoding pieces, its parent's merges ({@code merges};
     * null: learned on the text).
     */
    PreparedData prepare(JavaSparkContext sc, JobSettings job, VocabularyGrowth growth, Bpe merges) {
        LmSettings s = settings(job, growth, merges);
        try {
            return LmData.prepare(sc, s);
        } catch (CorpusException e) {
            throw oneLine(e);
        }
    }

    /**
     * As {@link #prepare}, on the lines {@code lines} gives (rows of file, 0-based row and text, e.g. a Spark
     * Dataset's, in corpus order; {@link LmTextReader#readRows}) instead of data.train.
     */
    PreparedData prepare(JavaSparkContext sc, JobSettings job, Function<JavaSparkContext, JavaRDD<Row>> lines) {
        LmSettings s = settings(job, null, null);
        try {
            return LmData.prepare(s, LmTextReader.readRows(sc, lines.apply(sc), s.train(), s.options()));
        } catch (CorpusException e) {
            throw oneLine(e);
        }
    }

    private static LmSettings settings(JobSettings job, VocabularyGrowth growth, Bpe merges) {
        return new LmSettings(job.data().format(), job.data().train(), job.lm().textColumn(),
                options(job, merges).withGrowth(growth), job.train().k1(), vocab -> lm(job, vocab));
    }

    /**
     * The merges a model of byte-pair-encoding pieces stores ({@link Bpe#INPUT_FILE}), null for characters and
     * words; a damaged file is an {@link InputException} naming it and the line.
     */
    static Bpe merges(TrainedModel m) {
        return m.inputMerges(m.settings().lm().tokens());
    }

    @Override
    public boolean usesSpark() {
        return false;
    }

    /**
     * Bits per token of a local UTF-8 text under the model, the state carried through it: characters (unknown
     * ones skipped) or words (unknown ones are {@code <unk>}, every line end is {@code <eos>}).
     */
    @Override
    public ObjectNode evaluate(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        if (part != Part.ALL) {
            return evaluateHeldOut(sc, m, data, part);
        }
        LmVocabulary vocab = LmVocabulary.of(m);
        int[] unknown = new int[1];
        Location text = Location.of(data, "--data");
        int[] ids;
        try {
            ids = vocab.encode(CharCorpus.decodeText(text.readBytes(), text.toString()), unknown);
        } catch (java.io.IOException e) {
            throw new InputException("cannot read " + text + ": " + e.getMessage());
        }
        try {
            return LmEvaluation.text(m.model(SequenceModel.class), m.loaded().params(), ids, unknown[0], vocab.unit(),
                    vocab.pieces(), data);
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /**
     * Bits per token of the validation part as training cut it (the last data.validation-fraction of the text,
     * read through Spark with the model's settings) and scored it: the figure of eval.json's valid_bits_per_*.
     */
    private static ObjectNode evaluateHeldOut(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        if (part == Part.TEST) {
            throw new ConfigException("--part test: a language model holds out only the last "
                    + "data.validation-fraction of its text; use --part validation");
        }
        JobSettings c = m.settings();
        int k1 = c.train().k1();
        String format = c.data().format();
        LmCorpus corpus = read(sc, format, data, c, options(c, merges(m)));
        String file = LmVocabulary.file(c.lm().tokens());
        if (!corpus.vocabularyText().equals(m.file(file))) {
            throw new InputException(data + ": not the corpus the model in " + m.dir() + " was trained on (its "
                    + "vocabulary differs from " + file + "); --part scores the held-out part of the training "
                    + "corpus");
        }
        try {
            return LmEvaluation.heldOut(corpus, data, m.model(SequenceModel.class), m.loaded().params(), k1,
                    c.lm().tokens());
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    @Override
    public long predict(JavaSparkContext sc, TrainedModel model, String data, PredictionWriter out) {
        throw new ConfigException("a language model generates text: spark-rnn predict <model> --prompt TEXT "
                + "(--data and --output are for the other tasks)");
    }
}
