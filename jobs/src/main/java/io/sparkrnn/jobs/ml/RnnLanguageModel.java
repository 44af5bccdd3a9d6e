package io.sparkrnn.jobs.ml;

import io.sparkrnn.jobs.InProcess;
import io.sparkrnn.jobs.ModelFolder;
import io.sparkrnn.jobs.config.ConfigException;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The language model (task {@code lm}) as a Spark ML estimator: {@code textCol} holds the text, one row a line, in the
 * Dataset's order (characters, whitespace-separated words, or their byte-pair-encoding pieces, {@code bpeMerges} merges
 * learned on the words, as {@code tokens} says; words and pieces end each line with {@code <eos>}). {@code fit} trains
 * as {@code bin/spark-rnn train} does with {@code task = lm} on a text file of those lines: the vocabulary is counted
 * on the executors, the last {@code validationFraction} of the text is held out (validation is bits per token with the
 * state carried through it), and the round loop runs on the Dataset's own Spark context with windows of {@code k1}
 * steps ({@code train.k2 = k2}). A null text is a bad record, counted against {@code maxBadFraction}. The fitted
 * {@link RnnLanguageModelModel} generates text after a prompt column with the generation params
 * ({@link LmGenerationParams}: length, temperature, topK, sampleSeed), which may be set here (or in a Pipeline) and
 * are copied to the model by {@code fit}, as the column params are.
 */
public final class RnnLanguageModel extends RnnTokenEstimator<RnnLanguageModelModel, RnnLanguageModel>
        implements LmGenerationParams<RnnLanguageModel> {
    private static final long serialVersionUID = 1L;
    private final Param<String> textCol = column("textCol", "the text column (string), one row a line", "text");
    private final Param<String> promptCol = column("promptCol", "the prompt column (string) the model continues",
            "prompt");
    private final Param<String> bitsCol = column("bitsCol", "output column of the prompts' bits per token under "
            + "the model", "bits");
    private final Param<String> tokens = bind("tokens", "data.tokens");
    private final IntParam bpeMerges = bind("bpeMerges", "data.bpe-merges");
    private final IntParam k1 = bind("k1", "train.k1");
    private final IntParam k2 = bind("k2", "train.k2");
    private final Generation generation = Generation.of(this);

    public RnnLanguageModel() {
        this(Identifiable.randomUID("rnnLanguageModel"));
    }

    public RnnLanguageModel(String uid) {
        super(uid, "generated");
        setGenerationDefaults();
    }

    @Override
    public Generation generation() {
        return generation;
    }

    public Param<String> textCol() {
        return textCol;
    }

    public String getTextCol() {
        return getOrDefault(textCol);
    }

    public RnnLanguageModel setTextCol(String v) {
        return setValue(textCol, v);
    }

    public Param<String> promptCol() {
        return promptCol;
    }

    public RnnLanguageModel setPromptCol(String v) {
        return setValue(promptCol, v);
    }

    public Param<String> bitsCol() {
        return bitsCol;
    }

    public RnnLanguageModel setBitsCol(String v) {
        return setValue(bitsCol, v);
    }

    public Param<String> tokens() {
        return tokens;
    }

    public RnnLanguageModel setTokens(String v) {
        return setValue(tokens, v);
    }

    public IntParam bpeMerges() {
        return bpeMerges;
    }

    public RnnLanguageModel setBpeMerges(int v) {
        return setValue(bpeMerges, v);
    }

    public IntParam k1() {
        return k1;
    }

    public RnnLanguageModel setK1(int v) {
        return setValue(k1, v);
    }

    public IntParam k2() {
        return k2;
    }

    public RnnLanguageModel setK2(int v) {
        return setValue(k2, v);
    }

    @Override
    protected StructType validateAndTransformSchema(StructType schema) {
        Columns.require(schema, "textCol", getTextCol(), List.of(DataTypes.StringType));
        if (Arrays.asList(schema.fieldNames()).contains(getOrDefault(promptCol))) {
            Columns.require(schema, "promptCol", getOrDefault(promptCol), List.of(DataTypes.StringType));
        }
        return RnnLanguageModelModel.outputSchema(schema, getPredictionCol(), getOrDefault(bitsCol));
    }

    @Override
    public RnnLanguageModelModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        String source = "Dataset column " + getTextCol();
        Dataset<Row> lines = Columns.framed(dataset, source, List.of(getTextCol()));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        ModelFolder folder;
        try {
            folder = InProcess.trainLanguageModel(sc, settings(), source, s -> lines.javaRDD(), runDir(),
                    System.out);
        } catch (ConfigException e) {
            throw badSettings(e);
        }
        return copyValues(new RnnLanguageModelModel(uid(), folder), extractParamMap()).setParent(this);
    }

    @Override
    public RnnLanguageModel copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Reads an estimator saved with {@code write().save(path)}. */
    public static MLReader<RnnLanguageModel> read() {
        return new DefaultParamsReader<>();
    }

    public static RnnLanguageModel load(String path) {
        return read().load(path);
    }
}
