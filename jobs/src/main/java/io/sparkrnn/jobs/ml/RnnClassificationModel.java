package io.sparkrnn.jobs.ml;

import io.sparkrnn.driver.corpus.classify.ClassificationData;
import io.sparkrnn.driver.corpus.classify.ClassificationSettings;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.jobs.ModelFolder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
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
 * A fitted {@link RnnClassifier}: {@code transform} adds {@code predictionCol} (the likeliest label) and
 * {@code probabilityCol} (every label's probability, a vector in the order of {@link #labels}), computed on the
 * executors in batches with the code {@code bin/spark-rnn predict} runs ({@link ClassificationData#probabilities}),
 * reading its input column as the estimator did. A null input gives null outputs. Saved as Spark's metadata plus
 * the model folder in {@code <path>/model}, which {@code predict} reads too.
 */
public final class RnnClassificationModel extends Model<RnnClassificationModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final transient ModelFolder folder;
    private final transient ModelFolder.Classifier classifier;
    private final Param<String> inputCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;

    RnnClassificationModel(String uid, ModelFolder folder) {
        this.uid = uid;
        this.folder = folder;
        inputCol = new Param<>(uid, "inputCol", "input column: texts (string) or tokens (array<string>)");
        predictionCol = new Param<>(uid, "predictionCol", "output column of the predicted labels");
        probabilityCol = new Param<>(uid, "probabilityCol", "output column of the class probabilities (a vector, "
                + "in the order of the model's labels)");
        setDefault(inputCol, "text");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        classifier = folder.classifier();
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The labels, in the order of the probability vector. */
    public String[] labels() {
        return classifier.labels().tokens().toArray(new String[0]);
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public RnnClassificationModel setInputCol(String v) {
        set(inputCol, v);
        return this;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public RnnClassificationModel setPredictionCol(String v) {
        set(predictionCol, v);
        return this;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public RnnClassificationModel setProbabilityCol(String v) {
        set(probabilityCol, v);
        return this;
    }

    static StructType outputSchema(StructType schema, String prediction, String probability) {
        StructType s = Columns.add(schema, "predictionCol", prediction, DataTypes.StringType);
        return Columns.add(s, "probabilityCol", probability, SQLDataTypes.VectorType());
    }

    @Override
    public StructType transformSchema(StructType schema) {
        boolean array = Columns.isTokens(Columns.require(schema, "inputCol", getOrDefault(inputCol),
                List.of(DataTypes.StringType, Columns.TOKENS)));
        if (array && classifier.tokenizer().unit() == TokenUnit.CHARS) {
            throw new IllegalArgumentException("inputCol: column '" + getOrDefault(inputCol) + "' holds tokens "
                    + "(array<string>), but this model reads the characters of a string column");
        }
        return outputSchema(schema, getOrDefault(predictionCol), getOrDefault(probabilityCol));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema(), true);
        int in = dataset.schema().fieldIndex(getOrDefault(inputCol));
        boolean array = Columns.isTokens(dataset.schema().apply(in).dataType());
        ModelFolder.Classifier c = classifier;
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Broadcast<LocalModel> model = sc.broadcast(c.model());
        Vocabulary words = c.words();
        Vocabulary labels = c.labels();
        ClassificationSettings.Tokenizer tok = c.tokenizer();
        int batch = c.batch();
        JavaRDD<Row> rows = dataset.toDF().javaRDD().mapPartitions(it -> classify(model.value().copy(), it, in,
                array, words, labels, tok, batch));
        return dataset.sparkSession().createDataFrame(rows, out);
    }

    /** The rows of one partition with the prediction and probabilities appended, in batches. */
    private static Iterator<Row> classify(LocalModel lm, Iterator<Row> it, int in, boolean array, Vocabulary words,
            Vocabulary labels, ClassificationSettings.Tokenizer tok, int batch) {
        return Columns.perBatch(it, batch, chunk -> {
            List<Row> res = new ArrayList<>(chunk.size());
            List<String> texts = new ArrayList<>(chunk.size());
            for (Row r : chunk) {
                String t = Columns.text(r, in, array);
                if (t != null) {
                    texts.add(t);
                }
            }
            List<float[]> p = texts.isEmpty() ? List.of() : ClassificationData.probabilities(lm, texts, words, tok);
            int next = 0;
            for (Row r : chunk) {
                if (r.isNullAt(in)) {
                    res.add(Columns.append(r, null, null));
                    continue;
                }
                float[] probs = p.get(next++);
                double[] v = new double[probs.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = probs[i];
                }
                res.add(Columns.append(r, labels.token(LocalModel.argmax(probs)), Vectors.dense(v)));
            }
            return res;
        });
    }

    @Override
    public RnnClassificationModel copy(ParamMap extra) {
        return copyValues(new RnnClassificationModel(uid, folder), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new ModelIO.Writer(this, folder);
    }

    /** Reads a model saved with {@code write().save(path)} (also as a stage of a saved {@code PipelineModel}). */
    public static MLReader<RnnClassificationModel> read() {
        return new ModelIO.Reader<>(RnnClassificationModel.class, RnnClassificationModel::new);
    }

    public static RnnClassificationModel load(String path) {
        return read().load(path);
    }
}
