package io.sparkrnn.jobs.ml;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.bad.BadReason;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.pairs.TextPair;
import io.sparkrnn.driver.corpus.text.TokenUnit;
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
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The encoder-decoder (task {@code seq2seq}, e.g. grapheme-to-phoneme) as a Spark ML estimator: {@code inputCol}
 * holds the sources and {@code labelCol} the targets, each a string (cut into characters or words as
 * {@code sourceTokens} and {@code targetTokens} say) or its tokens (array&lt;string&gt;). {@code fit} trains as
 * {@code bin/spark-rnn train} does with {@code task = seq2seq} and {@code data.format = tsv}: a seeded random
 * {@code validationFraction} of the pairs (by source) is held out, pairs whose source is longer than
 * {@code maxSourceLength} are skipped, the vocabularies are fitted on the rest, and the round loop runs on the
 * Dataset's own Spark context. A null or empty cell is a bad record, counted against {@code maxBadFraction}.
 */
public final class RnnSeq2Seq extends RnnLabelledEstimator<RnnSeq2SeqModel, RnnSeq2Seq> {
    private static final long serialVersionUID = 1L;
    /** What a source or target column may hold: a text, or its tokens. */
    private static final List<DataType> TEXT = List.of(DataTypes.StringType, Columns.TOKENS);
    private final Param<String> scoreCol = column("scoreCol", "output column of the outputs' scores (the "
            + "length-normalised log-probability)", "score");
    private final Param<String> sourceTokens = bind("sourceTokens", "data.source-tokens");
    private final Param<String> targetTokens = bind("targetTokens", "data.target-tokens");
    private final IntParam maxSourceLength = bind("maxSourceLength", "data.max-source-length");
    private final IntParam bpeMerges = bind("bpeMerges", "data.bpe-merges");
    private final Param<String> attention = bind("attention", "model.attention");
    private final IntParam beam = bind("beam", "decode.beam");
    private final DoubleParam alpha = bind("alpha", "decode.alpha");

    public RnnSeq2Seq() {
        this(Identifiable.randomUID("rnnSeq2Seq"));
    }

    public RnnSeq2Seq(String uid) {
        super(uid, "source", "target", "prediction");
    }

    public Param<String> scoreCol() {
        return scoreCol;
    }

    public RnnSeq2Seq setScoreCol(String v) {
        return setValue(scoreCol, v);
    }

    public Param<String> sourceTokens() {
        return sourceTokens;
    }

    public RnnSeq2Seq setSourceTokens(String v) {
        return setValue(sourceTokens, v);
    }

    public Param<String> targetTokens() {
        return targetTokens;
    }

    public RnnSeq2Seq setTargetTokens(String v) {
        return setValue(targetTokens, v);
    }

    public IntParam maxSourceLength() {
        return maxSourceLength;
    }

    public RnnSeq2Seq setMaxSourceLength(int v) {
        return setValue(maxSourceLength, v);
    }

    public IntParam bpeMerges() {
        return bpeMerges;
    }

    public RnnSeq2Seq setBpeMerges(int v) {
        return setValue(bpeMerges, v);
    }

    public Param<String> attention() {
        return attention;
    }

    public RnnSeq2Seq setAttention(String v) {
        return setValue(attention, v);
    }

    public IntParam beam() {
        return beam;
    }

    public RnnSeq2Seq setBeam(int v) {
        return setValue(beam, v);
    }

    public DoubleParam alpha() {
        return alpha;
    }

    public RnnSeq2Seq setAlpha(double v) {
        return setValue(alpha, v);
    }

    @Override
    protected StructType validateAndTransformSchema(StructType schema) {
        Columns.require(schema, "inputCol", getInputCol(), TEXT);
        if (Arrays.asList(schema.fieldNames()).contains(getLabelCol())) {
            Columns.require(schema, "labelCol", getLabelCol(), TEXT);
        }
        return RnnSeq2SeqModel.outputSchema(schema, getPredictionCol(), getOrDefault(scoreCol));
    }

    @Override
    public RnnSeq2SeqModel fit(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        transformSchema(schema, true);
        Columns.require(schema, "labelCol", getLabelCol(), TEXT);
        boolean sourceArray = Columns.isTokens(schema.apply(getInputCol()).dataType());
        boolean targetArray = Columns.isTokens(schema.apply(getLabelCol()).dataType());
        TokenUnit sourceUnit = unit(getOrDefault(sourceTokens));
        TokenUnit targetUnit = unit(getOrDefault(targetTokens));
        List<String> settings = settings();
        settings.add("data.format=tsv");
        String source = "Dataset columns " + getInputCol() + ", " + getLabelCol();
        Dataset<Row> rows = dataset.select(functions.col(getInputCol()), functions.col(getLabelCol()));
        double maxBad = (Double) getOrDefault(maxBadFraction());
        Function<JavaSparkContext, Corpus<TextPair>> pairs = sc -> {
            BadRecords bad = new BadRecords(sc, source, maxBad);
            JavaRDD<TextPair> rdd = rows.javaRDD().flatMap(r -> pair(r, sourceArray, sourceUnit, targetArray,
                    targetUnit, source, bad));
            return Corpus.load(rdd, bad);
        };
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        ModelFolder folder;
        try {
            folder = InProcess.trainSeq2Seq(sc, settings, source, pairs, runDir(), System.out);
        } catch (ConfigException e) {
            throw badSettings(e);
        }
        return copyValues(new RnnSeq2SeqModel(uid(), folder), extractParamMap()).setParent(this);
    }

    static TokenUnit unit(String tokens) {
        return tokens.equals("char") ? TokenUnit.CHARS : TokenUnit.WORDS;
    }

    /** The tokens of cell {@code i}: its array, or its text cut into {@code unit}s; null for null. */
    static String[] tokens(Row r, int i, boolean array, TokenUnit unit) {
        if (r.isNullAt(i)) {
            return null;
        }
        return array ? Columns.tokens(r, i) : unit.split(r.getString(i));
    }

    /** A row (source, target) as a pair; a null or empty side is skipped as a bad record. */
    private static Iterator<TextPair> pair(Row r, boolean sourceArray, TokenUnit sourceUnit, boolean targetArray,
            TokenUnit targetUnit, String source, BadRecords bad) {
        String[] s = tokens(r, 0, sourceArray, sourceUnit);
        String[] t = tokens(r, 1, targetArray, targetUnit);
        if (s == null || t == null) {
            bad.skip(source, 0, BadReason.NULL_VALUE, s == null ? "source" : "target");
            return Collections.emptyIterator();
        }
        if (s.length == 0 || t.length == 0) {
            bad.skip(source, 0, BadReason.EMPTY_TARGET, s.length == 0 ? "empty source" : "empty target");
            return Collections.emptyIterator();
        }
        return List.of(new TextPair(s, t)).iterator();
    }

    @Override
    public RnnSeq2Seq copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Reads an estimator saved with {@code write().save(path)}. */
    public static MLReader<RnnSeq2Seq> read() {
        return new DefaultParamsReader<>();
    }

    public static RnnSeq2Seq load(String path) {
        return read().load(path);
    }
}
