package io.sparkrnn.jobs.ml;

import io.sparkrnn.driver.corpus.tagging.TaggingData;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.jobs.ModelFolder;
import java.util.ArrayList;
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
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link RnnTagger}: {@code transform} adds {@code predictionCol}, the likeliest tag of every word of
 * {@code inputCol} (array&lt;string&gt; of the same length; empty for an empty sentence, null for null), computed
 * on the executors in batches with the code {@code bin/spark-rnn predict} runs ({@link TaggingData#tags}). Saved as
 * Spark's metadata plus the model folder in {@code <path>/model}, which {@code predict} reads too.
 */
public final class RnnTaggingModel extends Model<RnnTaggingModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final transient ModelFolder folder;
    private final transient ModelFolder.Tagger tagger;
    private final Param<String> inputCol;
    private final Param<String> predictionCol;

    RnnTaggingModel(String uid, ModelFolder folder) {
        this.uid = uid;
        this.folder = folder;
        this.tagger = folder.tagger();
        inputCol = new Param<>(uid, "inputCol", "input column: the words of each sentence (array<string>)");
        predictionCol = new Param<>(uid, "predictionCol", "output column of the predicted tags (array<string>)");
        setDefault(inputCol, "tokens");
        setDefault(predictionCol, "prediction");
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The tags the model predicts from. */
    public String[] tags() {
        return tagger.tags().tokens().toArray(new String[0]);
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public RnnTaggingModel setInputCol(String v) {
        set(inputCol, v);
        return this;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public RnnTaggingModel setPredictionCol(String v) {
        set(predictionCol, v);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Columns.require(schema, "inputCol", getOrDefault(inputCol), List.of(Columns.TOKENS));
        return Columns.add(schema, "predictionCol", getOrDefault(predictionCol), Columns.TOKENS);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema(), true);
        int in = dataset.schema().fieldIndex(getOrDefault(inputCol));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Broadcast<LocalModel> model = sc.broadcast(tagger.model());
        Vocabulary words = tagger.words();
        Vocabulary tags = tagger.tags();
        boolean lower = tagger.lowercase();
        Bpe bpe = tagger.bpe();
        int batch = tagger.batch();
        JavaRDD<Row> rows = dataset.toDF().javaRDD().mapPartitions(it -> tag(model.value().copy(), it, in, words,
                tags, lower, bpe, batch));
        return dataset.sparkSession().createDataFrame(rows, out);
    }

    /** The rows of one partition with the predicted tags appended, in batches. */
    private static Iterator<Row> tag(LocalModel lm, Iterator<Row> it, int in, Vocabulary words, Vocabulary tags,
            boolean lower, Bpe bpe, int batch) {
        return Columns.perBatch(it, batch, chunk -> {
            List<String[]> sentences = new ArrayList<>(chunk.size());
            for (Row r : chunk) {
                String[] w = Columns.tokens(r, in);
                if (w != null && w.length > 0) {
                    sentences.add(w);
                }
            }
            List<String[]> predicted = sentences.isEmpty() ? List.of()
                    : TaggingData.tags(lm, sentences, words, tags, lower, bpe);
            List<Row> res = new ArrayList<>(chunk.size());
            int next = 0;
            for (Row r : chunk) {
                String[] w = Columns.tokens(r, in);
                Object value = w == null ? null : w.length == 0 ? new String[0] : predicted.get(next++);
                res.add(Columns.append(r, value));
            }
            return res;
        });
    }

    @Override
    public RnnTaggingModel copy(ParamMap extra) {
        return copyValues(new RnnTaggingModel(uid, folder), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new ModelIO.Writer(this, folder);
    }

    /** Reads a model saved with {@code write().save(path)} (also as a stage of a saved {@code PipelineModel}). */
    public static MLReader<RnnTaggingModel> read() {
        return new ModelIO.Reader<>(RnnTaggingModel.class, RnnTaggingModel::new);
    }

    public static RnnTaggingModel load(String path) {
        return read().load(path);
    }
}
