package io.sparkrnn.jobs.ml;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.bad.BadReason;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.tagging.TaggedSentence;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.InProcess;
import io.sparkrnn.jobs.ModelFolder;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * The sequence tagger (task {@code tag}) as a Spark ML estimator: {@code inputCol} holds each sentence's words and
 * {@code labelCol} its tags, both array&lt;string&gt; of the same length. {@code fit} trains as
 * {@code bin/spark-rnn train} does with {@code task = tag}: a seeded random {@code validationFraction} of the sentences
 * is held out, the vocabularies are fitted on the rest (words lower-cased first when {@code lowercase}), sentences
 * longer than {@code k1} are cut into pieces of k1 words ({@code train.k1 = train.k2 = k1}), and the round loop runs on
 * the Dataset's own Spark context; {@code tokens = bpe} cuts each word into byte-pair-encoding pieces
 * ({@code bpeMerges} merges learned on the training words) and predicts its tag at the first. A null cell or words and
 * tags of different lengths is a bad record, counted against {@code maxBadFraction}; an empty sentence is skipped.
 */
public final class RnnTagger extends RnnLabelledEstimator<RnnTaggingModel, RnnTagger> {
    private static final long serialVersionUID = 1L;
    private final BooleanParam lowercase = bind("lowercase", "data.lowercase");
    private final IntParam k1 = bind("k1", "train.k1");
    private final Param<String> tokens = bind("tokens", "data.tokens");
    private final IntParam bpeMerges = bind("bpeMerges", "data.bpe-merges");

    public RnnTagger() {
        this(Identifiable.randomUID("rnnTagger"));
    }

    public RnnTagger(String uid) {
        super(uid, "tokens", "tags", "prediction");
    }

    public BooleanParam lowercase() {
        return lowercase;
    }

    public RnnTagger setLowercase(boolean v) {
        return setValue(lowercase, v);
    }

    public IntParam k1() {
        return k1;
    }

    public RnnTagger setK1(int v) {
        return setValue(k1, v);
    }

    public Param<String> tokens() {
        return tokens;
    }

    /** {@code bpe}: each word cut into byte-pair-encoding pieces, its tag predicted at the first; else words. */
    public RnnTagger setTokens(String v) {
        return setValue(tokens, v);
    }

    public IntParam bpeMerges() {
        return bpeMerges;
    }

    public RnnTagger setBpeMerges(int v) {
        return setValue(bpeMerges, v);
    }

    @Override
    protected StructType validateAndTransformSchema(StructType schema) {
        Columns.require(schema, "inputCol", getInputCol(), List.of(Columns.TOKENS));
        if (Arrays.asList(schema.fieldNames()).contains(getLabelCol())) {
            Columns.require(schema, "labelCol", getLabelCol(), List.of(Columns.TOKENS));
        }
        return Columns.add(schema, "predictionCol", getPredictionCol(), Columns.TOKENS);
    }

    @Override
    public RnnTaggingModel fit(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        transformSchema(schema, true);
        Columns.require(schema, "labelCol", getLabelCol(), List.of(Columns.TOKENS));
        List<String> settings = settings();
        // one window per piece, as bidirectional layers need
        settings.add("train.k2=" + getOrDefault(k1));
        String source = "Dataset columns " + getInputCol() + ", " + getLabelCol();
        Dataset<Row> rows = dataset.select(functions.col(getInputCol()), functions.col(getLabelCol()));
        double maxBad = (Double) getOrDefault(maxBadFraction());
        Function<JavaSparkContext, Corpus<TaggedSentence>> sentences = sc -> {
            BadRecords bad = new BadRecords(sc, source, maxBad);
            JavaRDD<TaggedSentence> rdd = rows.javaRDD().flatMap(r -> sentence(r, source, bad));
            return Corpus.load(rdd, bad);
        };
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        ModelFolder folder;
        try {
            folder = InProcess.trainTagger(sc, settings, source, sentences, runDir(), System.out);
        } catch (ConfigException e) {
            throw badSettings(e);
        }
        return copyValues(new RnnTaggingModel(uid(), folder), extractParamMap()).setParent(this);
    }

    /** A row (words, tags) as a tagged sentence; a null or a length mismatch is skipped as a bad record. */
    private static Iterator<TaggedSentence> sentence(Row r, String source, BadRecords bad) {
        if (r.isNullAt(0) || r.isNullAt(1)) {
            bad.skip(source, 0, BadReason.NULL_VALUE, r.isNullAt(0) ? "words" : "tags");
            return Collections.emptyIterator();
        }
        String[] words = Columns.tokens(r, 0);
        String[] tags = Columns.tokens(r, 1);
        if (words.length != tags.length) {
            bad.skip(source, 0, BadReason.TOKEN_TAG_MISMATCH, words.length + " words, " + tags.length + " tags");
            return Collections.emptyIterator();
        }
        return words.length == 0 ? Collections.emptyIterator() : List.of(new TaggedSentence(words, tags)).iterator();
    }

    @Override
    public RnnTagger copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Reads an estimator saved with {@code write().save(path)}. */
    public static MLReader<RnnTagger> read() {
        return new DefaultParamsReader<>();
    }

    public static RnnTagger load(String path) {
        return read().load(path);
    }
}
