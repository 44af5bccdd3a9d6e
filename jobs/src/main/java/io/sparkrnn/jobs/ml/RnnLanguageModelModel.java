package io.sparkrnn.jobs.ml;

import io.sparkrnn.jobs.LmGenerator;
import io.sparkrnn.jobs.ModelFolder;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link RnnLanguageModel}: {@code transform} adds {@code predictionCol}, the row's prompt followed by
 * {@code length} generated tokens, drawn on the executors as {@code bin/spark-rnn predict --prompt P --length N
 * --temperature T --top-k K --seed S} draws them ({@link LmGenerator}; seeded, so a row's text is the same in
 * every run and equals the command's), and {@code bitsCol}, the prompt's bits per token under the model (each
 * token after the first predicted from those before it; NaN for a prompt of one token). A null or empty prompt, or
 * one the model cannot read (a character outside its vocabulary, no word), gets nulls. The generation params
 * ({@link LmGenerationParams}) default to the command's and come from the estimator when fitted. Saved as Spark's
 * metadata plus the model folder in {@code <path>/model}, which {@code predict} reads too.
 */
public final class RnnLanguageModelModel extends Model<RnnLanguageModelModel>
        implements MLWritable, LmGenerationParams<RnnLanguageModelModel> {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final transient ModelFolder folder;
    private final transient LmGenerator generator;
    private final Param<String> promptCol;
    private final Param<String> predictionCol;
    private final Param<String> bitsCol;
    private final Generation generation;

    RnnLanguageModelModel(String uid, ModelFolder folder) {
        this.uid = uid;
        this.folder = folder;
        this.generator = folder.generator();
        promptCol = new Param<>(uid, "promptCol", "the prompt column (string) the model continues");
        predictionCol = new Param<>(uid, "predictionCol", "output column of the prompts and their continuations "
                + "(string)");
        bitsCol = new Param<>(uid, "bitsCol", "output column of the prompts' bits per token under the model "
                + "(double)");
        generation = Generation.of(this);
        setDefault(promptCol, "prompt");
        setDefault(predictionCol, "generated");
        setDefault(bitsCol, "bits");
        setGenerationDefaults();
    }

    @Override
    public Generation generation() {
        return generation;
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> promptCol() {
        return promptCol;
    }

    public RnnLanguageModelModel setPromptCol(String v) {
        set(promptCol, v);
        return this;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public RnnLanguageModelModel setPredictionCol(String v) {
        set(predictionCol, v);
        return this;
    }

    public Param<String> bitsCol() {
        return bitsCol;
    }

    public RnnLanguageModelModel setBitsCol(String v) {
        set(bitsCol, v);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Columns.require(schema, "promptCol", getOrDefault(promptCol), List.of(DataTypes.StringType));
        return outputSchema(schema, getOrDefault(predictionCol), getOrDefault(bitsCol));
    }

    static StructType outputSchema(StructType schema, String prediction, String bits) {
        StructType s = Columns.add(schema, "predictionCol", prediction, DataTypes.StringType);
        return Columns.add(s, "bitsCol", bits, DataTypes.DoubleType);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema(), true);
        int in = dataset.schema().fieldIndex(getOrDefault(promptCol));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Broadcast<LmGenerator> g = sc.broadcast(generator);
        int n = getLength();
        double t = getTemperature();
        int k = getTopK();
        int seed = getSampleSeed();
        JavaRDD<Row> rows = dataset.toDF().javaRDD().mapPartitions(it -> generate(g.value().copy(), it, in, n, t, k,
                seed));
        return dataset.sparkSession().createDataFrame(rows, out);
    }

    /** The rows of one partition with the generated text and the prompt's bits per token appended. */
    private static Iterator<Row> generate(LmGenerator g, Iterator<Row> it, int in, int length, double temperature,
            int topK, int seed) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Row next() {
                Row r = it.next();
                String prompt = r.isNullAt(in) ? "" : r.getString(in);
                int[] ids;
                try {
                    ids = prompt.isEmpty() ? new int[0] : g.encode(prompt);
                } catch (IllegalArgumentException e) {
                    ids = new int[0];
                }
                if (ids.length == 0) {
                    return Columns.append(r, null, null);
                }
                return Columns.append(r, g.generate(prompt, ids, length, temperature, topK, seed),
                        g.bitsPerToken(ids));
            }
        };
    }

    @Override
    public RnnLanguageModelModel copy(ParamMap extra) {
        return copyValues(new RnnLanguageModelModel(uid, folder), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new ModelIO.Writer(this, folder);
    }

    /** Reads a model saved with {@code write().save(path)} (also as a stage of a saved {@code PipelineModel}). */
    public static MLReader<RnnLanguageModelModel> read() {
        return new ModelIO.Reader<>(RnnLanguageModelModel.class, RnnLanguageModelModel::new);
    }

    public static RnnLanguageModelModel load(String path) {
        return read().load(path);
    }
}
