package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CharCorpus;
import io.sparkrnn.driver.round.PartitionData;
import io.sparkrnn.driver.round.StreamPartitions;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.StreamLoss;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Character language model on one UTF-8 text: the last {@code data.validation-fraction} of the characters is
 * held out; validation is bits per character with the state carried through the held-out text. The text is
 * read on the driver (see {@link CharCorpus}); evaluate and predict (text generation) run on the driver too.
 */
final class LmTask implements Task {
    static final String VOCAB = "vocab-chars.txt";

    @Override
    public String name() {
        return "lm";
    }

    @Override
    public List<String> formats() {
        return List.of("text");
    }

    @Override
    public String defaultFormat() {
        return "text";
    }

    @Override
    public void check(JobConfig c) {
        if (!c.getChoice("data.tokens").equals("char")) {
            throw new ConfigException(c.source() + ": task = lm reads characters: data.tokens must be char, found "
                    + c.getChoice("data.tokens"));
        }
        if (c.getBoolean("model.bidirectional")) {
            throw new ConfigException(c.source() + ": task = lm predicts the next character and cannot look ahead: "
                    + "model.bidirectional must be false");
        }
        if (!c.getString("data.validation").isEmpty()) {
            throw new ConfigException(c.source() + ": task = lm holds out the end of data.train "
                    + "(data.validation-fraction); data.validation is not used, leave it empty");
        }
    }

    @Override
    public ModelSpec estimate(TrainCommand.Job job, JobConfig c) {
        // a character vocabulary; bounded by Unicode's Basic Multilingual Plane for the memory estimate
        return lm(job, 1 << 16);
    }

    private static ModelSpec lm(TrainCommand.Job job, int vocab) {
        ModelSpec s = job.spec();
        return ModelSpec.languageModel(vocab, s.embeddingDim(), s.cell(), s.hiddenSize(), s.numLayers(), s.dropout());
    }

    @Override
    public TaskData prepare(JavaSparkContext sc, TrainCommand.Job job, JobConfig c) {
        CharCorpus corpus = CharCorpus.read(job.corpus());
        int[] ids = corpus.ids();
        int split = (int) Math.round(ids.length * (1 - job.validationFraction()));
        int[] train = Arrays.copyOfRange(ids, 0, split);
        int[] valid = Arrays.copyOfRange(ids, split, ids.length);
        if (valid.length < 2 * (job.k1() + 1)) {
            throw new InputException(job.corpus() + ": the validation part has " + valid.length
                    + " characters, too few for windows of " + job.k1() + "; raise data.validation-fraction");
        }
        JavaRDD<PartitionData> data;
        try {
            data = StreamPartitions.of(sc, train, job.partitions(), job.batch(), job.k1());
        } catch (IllegalArgumentException e) {
            throw new InputException(job.corpus() + ": " + e.getMessage());
        }
        ModelSpec spec = lm(job, corpus.vocabulary().size());
        SequenceModel model = new SequenceModel(spec);
        int lanes = Math.max(1, Math.min(16, valid.length / (job.k1() + 1)));
        byte[] vocab = CharCorpus.vocabularyText(corpus.vocabulary()).getBytes(StandardCharsets.UTF_8);
        String describe = String.format(Locale.ROOT, "corpus %s: %,d characters, vocabulary %d, %,d for training, "
                + "%,d for validation%n", job.corpus(), ids.length, corpus.vocabulary().size(), train.length,
                valid.length);
        return new TaskData() {
            @Override
            public ModelSpec spec() {
                return spec;
            }

            @Override
            public Map<String, byte[]> files() {
                return Map.of(VOCAB, vocab);
            }

            @Override
            public JavaRDD<PartitionData> train() {
                return data;
            }

            @Override
            public String describe() {
                return describe;
            }

            @Override
            public Validation validate(FlatParams params) {
                double bpc = StreamLoss.bitsPerToken(model, params, valid, lanes, job.k1());
                return Validation.of(bpc, "bits_per_char", bpc);
            }

            @Override
            public ObjectNode evaluate(FlatParams params) {
                double bpc = StreamLoss.bitsPerToken(model, params, valid, lanes, job.k1());
                ObjectNode n = ClassCounts.newJson();
                n.put("valid_bits_per_char", bpc);
                n.put("valid_perplexity", Math.pow(2, bpc));
                return n;
            }
        };
    }

    @Override
    public boolean usesSpark() {
        return false;
    }

    /** Bits per character of a text under the model (the state carried through it; unknown characters skipped). */
    @Override
    public ObjectNode evaluate(JavaSparkContext sc, TrainedModel m, String data) {
        List<Integer> vocab = CharCorpus.readVocabulary(m.dir().resolve(VOCAB));
        int[] unknown = new int[1];
        int[] ids = CharCorpus.encode(CharCorpus.readText(java.nio.file.Paths.get(data)), vocab, unknown);
        int lanes = Math.max(1, Math.min(16, (ids.length - 1) / 129));
        if (ids.length < lanes * 128 + 1) {
            throw new InputException(data + ": too short to evaluate (" + ids.length
                    + " known characters, need at least 129)");
        }
        double bpc = StreamLoss.bitsPerToken(m.loaded().model(), m.loaded().params(), ids, lanes, 128);
        ObjectNode n = ClassCounts.newJson();
        n.put("bits_per_char", bpc);
        n.put("perplexity", Math.pow(2, bpc));
        n.put("characters", ids.length);
        n.put("unknown_characters_skipped", unknown[0]);
        return n;
    }

    @Override
    public long predict(JavaSparkContext sc, TrainedModel model, String data, PredictionWriter out) {
        throw new ConfigException("a language model generates text: spark-rnn predict <model> --prompt TEXT "
                + "(--data and --output are for the other tasks)");
    }
}
