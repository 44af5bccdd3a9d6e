package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.lm.CharCorpus;
import io.sparkrnn.driver.corpus.lm.LmCorpus;
import io.sparkrnn.driver.corpus.lm.LmData;
import io.sparkrnn.driver.corpus.lm.LmOptions;
import io.sparkrnn.driver.corpus.lm.LmSettings;
import io.sparkrnn.driver.corpus.lm.LmTextReader;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.VocabularyGrowth;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.train.StreamLoss;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

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

    @Override
    public List<String> formats() {
        return List.of("text", "parquet");
    }

    @Override
    public String defaultFormat() {
        return "text";
    }

    @Override
    public void check(JobConfig c) {
        if (c.getBoolean("model.bidirectional")) {
            throw new ConfigException(c.source() + ": task = lm predicts the next token and cannot look ahead: "
                    + "model.bidirectional must be false");
        }
        if (!c.getString("data.validation").isEmpty()) {
            throw new ConfigException(c.source() + ": task = lm holds out the end of data.train "
                    + "(data.validation-fraction); data.validation is not used, leave it empty");
        }
        if (c.getChoice("data.format").equals("parquet") && c.getString("data.text-column").isEmpty()) {
            throw new ConfigException(c.source() + ": data.text-column must name the Parquet column of the text");
        }
    }

    private static SequenceSpec lm(TrainCommand.Job job, int vocab) {
        TrainCommand.ModelSettings m = job.model();
        return SequenceSpec.languageModel(vocab, m.embedding(), m.cell(), m.hidden(), m.layers(), m.dropout())
                .withIoDropout(m.ioDropout());
    }

    /** Reader options from the config: characters keep every code point; words use vocab.min-count / max-size. */
    static LmOptions options(TrainCommand.Job job, JobConfig c) {
        return options(c, job.partitions(), job.batch(), job.k1(), job.validationFraction());
    }

    private static LmOptions options(JobConfig c, int partitions, int batch, int k1, double validationFraction) {
        LmOptions o = LmVocabulary.unit(c) == TokenUnit.WORDS
                ? LmOptions.words().withVocabulary(c.getInt("vocab.min-count"), c.getInt("vocab.max-size"))
                : LmOptions.chars();
        return o.withPartitions(partitions, batch, k1).withValidationFraction(validationFraction)
                .withMaxBadFraction(c.getDouble("data.max-bad-fraction"));
    }

    private static LmCorpus read(JavaSparkContext sc, String format, String path, JobConfig c, LmOptions o) {
        try {
            return LmData.read(sc, format, path, c.getString("data.text-column"), o);
        } catch (CorpusException e) {
            throw oneLine(e);
        }
    }

    /** One line, as every reason the command prints (the bad-line examples follow on indented lines). */
    private static InputException oneLine(CorpusException e) {
        return new InputException(e.getMessage().replaceAll("\\s*\\n\\s*", "; "));
    }

    @Override
    public PreparedData prepare(JavaSparkContext sc, TrainCommand.Job job, JobConfig c) {
        return prepare(sc, job, c, null);
    }

    /** The data on a warm start's vocabulary ({@link VocabularyGrowth}; null: the text's own, as usual). */
    PreparedData prepare(JavaSparkContext sc, TrainCommand.Job job, JobConfig c, VocabularyGrowth growth) {
        LmSettings s = new LmSettings(job.format(), job.train(), c.getString("data.text-column"),
                options(job, c).withGrowth(growth), job.k1(), vocab -> lm(job, vocab));
        try {
            return LmData.prepare(sc, s);
        } catch (CorpusException e) {
            throw oneLine(e);
        }
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
        int lanes = Math.max(1, Math.min(16, (ids.length - 1) / 129));
        String noun = vocab.noun();
        if (ids.length < lanes * 128 + 1) {
            throw new InputException(data + ": too short to evaluate (" + ids.length + " known " + noun
                    + " tokens, need at least 129)");
        }
        double bits = StreamLoss.bitsPerToken(m.model(SequenceModel.class), m.loaded().params(), ids, lanes, 128);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("bits_per_" + noun, bits);
        n.put("perplexity", Math.pow(2, bits));
        if (vocab.unit() == TokenUnit.WORDS) {
            n.put("words", ids.length);
            n.put("unknown_words", unknown[0]);
        } else {
            n.put("characters", ids.length);
            n.put("unknown_characters_skipped", unknown[0]);
        }
        return n;
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
        JobConfig c = m.config();
        int k1 = c.getInt("train.k1");
        String format = c.getChoice("data.format").equals("parquet") ? "parquet" : "text";
        LmCorpus corpus = read(sc, format, data, c, options(c, c.getInt("train.partitions"), c.getInt("train.batch"),
                k1, c.getDouble("data.validation-fraction")));
        String file = LmVocabulary.file(LmVocabulary.unit(c));
        if (!corpus.vocabularyText().equals(m.file(file))) {
            throw new InputException(data + ": not the corpus the model in " + m.dir() + " was trained on (its "
                    + "vocabulary differs from " + file + "); --part scores the held-out part of the training "
                    + "corpus");
        }
        int[] valid;
        try {
            valid = corpus.validationTokens(LmData.MAX_DRIVER_VALIDATION);
        } catch (CorpusException e) {
            throw new InputException(data + ": " + e.getMessage());
        }
        double bits = StreamLoss.bitsPerToken(m.model(SequenceModel.class), m.loaded().params(), valid,
                LmData.lanes(valid.length, k1), k1);
        String noun = LmVocabulary.unit(c) == TokenUnit.WORDS ? "word" : "char";
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("bits_per_" + noun, bits);
        n.put("perplexity", Math.pow(2, bits));
        n.put(noun.equals("word") ? "words" : "characters", valid.length);
        return n;
    }

    @Override
    public long predict(JavaSparkContext sc, TrainedModel model, String data, PredictionWriter out) {
        throw new ConfigException("a language model generates text: spark-rnn predict <model> --prompt TEXT "
                + "(--data and --output are for the other tasks)");
    }
}
