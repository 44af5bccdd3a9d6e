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
 * {@code hdfs://}), or a string column of Parquet files (one row a line); characters or whitespace-separated
 * words ({@code data.tokens}; words end each line with {@code <eos>}). The last {@code data.validation-fraction}
 * of the corpus (files in path order) is held out; validation is bits per token with the state carried through
 * the held-out text, computed on the driver. Evaluate and predict (text generation) run on the driver too.
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
        LmOptions o = s.lm().tokens() == TokenUnit.WORDS
                ? LmOptions.words().withVocabulary(s.vocab().minCount(), s.vocab().maxSize())
                : LmOptions.chars();
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
        LmSettings s = settings(job, growth);
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
        LmSettings s = settings(job, null);
        try {
            return LmData.prepare(s, LmTextReader.readRows(sc, lines.apply(sc), s.train(), s.options()));
        } catch (CorpusException e) {
            throw oneLine(e);
        }
    }

    private static LmSettings settings(JobSettings job, VocabularyGrowth growth) {
        return new LmSettings(job.data().format(), job.data().train(), job.lm().textColumn(),
                options(job).withGrowth(growth), job.train().k1(), vocab -> lm(job, vocab));
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
                    data);
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
        LmCorpus corpus = read(sc, format, data, c, options(c));
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
