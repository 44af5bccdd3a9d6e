package io.sparkrnn.jobs.ml;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.bad.BadReason;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.classify.LabelledText;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The text classifier (task {@code classify}) as a Spark ML estimator. {@code inputCol} holds the texts (a
 * string, cut into tokens as {@code tokens}, {@code lowercase} and {@code maxLength} say) or their tokens
 * (array&lt;string&gt;, e.g. a {@code RegexTokenizer}'s output: read as the whitespace-separated words they join
 * into, so {@code tokens} is {@code word}, or {@code bpe} to cut those words into pieces, {@code bpeMerges} merges
 * learned on the training rows); {@code labelCol} the labels (strings, or numbers taken as their text).
 * {@code fit} trains as {@code bin/spark-rnn train} does with {@code task = classify}: a seeded random
 * {@code validationFraction} of the rows is held out, the vocabularies are fitted on the rest, and the round loop
 * runs on the Dataset's own Spark context; each text is read in one window ({@code train.k1 = train.k2 =
 * maxLength}). A row whose text or label is null is skipped and counted against {@code maxBadFraction}.
 */
public final class RnnClassifier extends RnnLabelledEstimator<RnnClassificationModel, RnnClassifier> {
    private static final long serialVersionUID = 1L;
    private final Param<String> probabilityCol = column("probabilityCol", "output column of the class "
            + "probabilities (a vector, in the order of the model's labels)", "probability");
    private final Param<String> tokens = bind("tokens", "data.tokens");
    private final BooleanParam lowercase = bind("lowercase", "data.lowercase");
    private final IntParam maxLength = bind("maxLength", "data.max-length");
    private final IntParam bpeMerges = bind("bpeMerges", "data.bpe-merges");
    private final Param<String> pooling = bind("pooling", "model.pooling");

    public RnnClassifier() {
        this(Identifiable.randomUID("rnnClassifier"));
    }

    public RnnClassifier(String uid) {
        super(uid, "text", "label", "prediction");
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public RnnClassifier setProbabilityCol(String v) {
        return setValue(probabilityCol, v);
    }

    public Param<String> tokens() {
        return tokens;
    }

    public RnnClassifier setTokens(String v) {
        return setValue(tokens, v);
    }

    public IntParam bpeMerges() {
        return bpeMerges;
    }

    public RnnClassifier setBpeMerges(int v) {
        return setValue(bpeMerges, v);
    }

    public BooleanParam lowercase() {
        return lowercase;
    }

    public RnnClassifier setLowercase(boolean v) {
        return setValue(lowercase, v);
    }

    public IntParam maxLength() {
        return maxLength;
    }

    public int getMaxLength() {
        return (Integer) getOrDefault(maxLength);
    }

    public RnnClassifier setMaxLength(int v) {
        return setValue(maxLength, v);
    }

    public Param<String> pooling() {
        return pooling;
    }

    public RnnClassifier setPooling(String v) {
        return setValue(pooling, v);
    }

    @Override
    protected StructType validateAndTransformSchema(StructType schema) {
        boolean array = Columns.isTokens(Columns.require(schema, "inputCol", getInputCol(),
                List.of(DataTypes.StringType, Columns.TOKENS)));
        if (array && isSet(tokens) && getOrDefault(tokens).equals("char")) {
            throw new IllegalArgumentException("tokens = " + getOrDefault(tokens) + " needs a string inputCol; "
                    + "column '" + getInputCol() + "' holds tokens (array<string>), read as words");
        }
        if (Arrays.asList(schema.fieldNames()).contains(getLabelCol())) {
            Columns.requireLabel(schema, "labelCol", getLabelCol());
        }
        return RnnClassificationModel.outputSchema(schema, getPredictionCol(), getOrDefault(probabilityCol));
    }

    @Override
    public RnnClassificationModel fit(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        transformSchema(schema, true);
        Columns.requireLabel(schema, "labelCol", getLabelCol());
        boolean array = Columns.isTokens(schema.apply(getInputCol()).dataType());
        List<String> settings = settings();
        settings.removeIf(s -> s.startsWith("data.tokens="));
        settings.add("data.tokens=" + (array && !getOrDefault(tokens).equals("bpe") ? "word" : getOrDefault(tokens)));
        // each text in one window
        settings.add("train.k1=" + getMaxLength());
        settings.add("train.k2=" + getMaxLength());
        String source = "Dataset columns " + getInputCol() + ", " + getLabelCol();
        Dataset<Row> rows = dataset.select(functions.col(getLabelCol()), functions.col(getInputCol()));
        double maxBad = (Double) getOrDefault(maxBadFraction());
        Function<JavaSparkContext, Corpus<LabelledText>> texts = sc -> {
            BadRecords bad = new BadRecords(sc, source, maxBad);
            JavaRDD<LabelledText> rdd = rows.javaRDD().flatMap(r -> text(r, array, source, bad));
            return Corpus.load(rdd, bad);
        };
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        ModelFolder folder;
        try {
            folder = InProcess.trainClassifier(sc, settings, source, texts, runDir(), System.out);
        } catch (ConfigException e) {
            throw badSettings(e);
        }
        return copyValues(new RnnClassificationModel(uid(), folder), extractParamMap()).setParent(this);
    }

    /** A row (label, input) as a labelled text; a null is skipped as a bad record. */
    private static Iterator<LabelledText> text(Row r, boolean array, String source, BadRecords bad) {
        if (r.isNullAt(0) || r.isNullAt(1)) {
            bad.skip(source, 0, BadReason.NULL_VALUE, r.isNullAt(0) ? "label" : "input");
            return Collections.emptyIterator();
        }
        String label = String.valueOf(r.get(0)).trim();
        if (label.isEmpty()) {
            bad.skip(source, 0, BadReason.EMPTY_TARGET, "empty label");
            return Collections.emptyIterator();
        }
        return List.of(new LabelledText(label, Columns.text(r, 1, array), source)).iterator();
    }

    @Override
    public RnnClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Reads an estimator saved with {@code write().save(path)}. */
    public static MLReader<RnnClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static RnnClassifier load(String path) {
        return read().load(path);
    }
}
