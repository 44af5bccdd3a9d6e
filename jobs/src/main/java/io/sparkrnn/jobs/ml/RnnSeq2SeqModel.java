package io.sparkrnn.jobs.ml;

import io.sparkrnn.driver.corpus.pairs.Seq2SeqData;
import io.sparkrnn.driver.corpus.pairs.Subwords;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link RnnSeq2Seq}: {@code transform} adds {@code predictionCol} (the decoded output, its tokens joined as
 * the targets' unit says: characters without, words with a space) and {@code scoreCol} (its length-normalised
 * log-probability), decoded on the executors in batches with the code {@code bin/spark-rnn predict} runs
 * ({@link Seq2SeqData#translations}; beam search when the model's {@code decode.beam > 1}). A source longer than
 * the model's {@code data.max-source-length} gets an empty output and score NaN, an empty or null source null
 * outputs. Saved as Spark's metadata plus the model folder in {@code <path>/model}, which {@code predict} reads too.
 */
public final class RnnSeq2SeqModel extends Model<RnnSeq2SeqModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final transient ModelFolder folder;
    private final transient ModelFolder.Translator translator;
    private final Param<String> inputCol;
    private final Param<String> predictionCol;
    private final Param<String> scoreCol;

    RnnSeq2SeqModel(String uid, ModelFolder folder) {
        this.uid = uid;
        this.folder = folder;
        this.translator = folder.translator();
        inputCol = new Param<>(uid, "inputCol", "input column: sources (string) or their tokens (array<string>)");
        predictionCol = new Param<>(uid, "predictionCol", "output column of the decoded outputs (string)");
        scoreCol = new Param<>(uid, "scoreCol", "output column of the outputs' scores (double)");
        setDefault(inputCol, "source");
        setDefault(predictionCol, "prediction");
        setDefault(scoreCol, "score");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public RnnSeq2SeqModel setInputCol(String v) {
        set(inputCol, v);
        return this;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public RnnSeq2SeqModel setPredictionCol(String v) {
        set(predictionCol, v);
        return this;
    }

    public Param<String> scoreCol() {
        return scoreCol;
    }

    public RnnSeq2SeqModel setScoreCol(String v) {
        set(scoreCol, v);
        return this;
    }

    static StructType outputSchema(StructType schema, String prediction, String score) {
        StructType s = Columns.add(schema, "predictionCol", prediction, DataTypes.StringType);
        return Columns.add(s, "scoreCol", score, DataTypes.DoubleType);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Columns.require(schema, "inputCol", getOrDefault(inputCol), List.of(DataTypes.StringType, Columns.TOKENS));
        return outputSchema(schema, getOrDefault(predictionCol), getOrDefault(scoreCol));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema(), true);
        int in = dataset.schema().fieldIndex(getOrDefault(inputCol));
        boolean array = Columns.isTokens(dataset.schema().apply(in).dataType());
        ModelFolder.Translator t = translator;
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Broadcast<LocalModel> model = sc.broadcast(t.model());
        Vocabulary src = t.source();
        Vocabulary tgt = t.target();
        TokenUnit unit = t.sourceTokens();
        String join = t.targetJoin();
        Subwords sw = t.subwords();
        int maxSource = t.maxSourceLength();
        Seq2SeqDecoding.Settings decode = t.decode();
        int batch = t.batch();
        JavaRDD<Row> rows = dataset.toDF().javaRDD().mapPartitions(it -> decode(model.value().copy(), it, in, array,
                unit, src, tgt, join, sw, maxSource, decode, batch));
        return dataset.sparkSession().createDataFrame(rows, out);
    }

    /** The rows of one partition with the output and score appended, in batches. */
    private static Iterator<Row> decode(LocalModel lm, Iterator<Row> it, int in, boolean array, TokenUnit unit,
            Vocabulary src, Vocabulary tgt, String join, Subwords sw, int maxSource, Seq2SeqDecoding.Settings decode,
            int batch) {
        return Columns.perBatch(it, batch, chunk -> {
            List<String[]> sources = new ArrayList<>(chunk.size());
            for (Row r : chunk) {
                String[] s = RnnSeq2Seq.tokens(r, in, array, unit);
                if (s != null && s.length > 0) {
                    sources.add(s);
                }
            }
            List<Seq2SeqData.Translation> t = sources.isEmpty() ? List.of()
                    : Seq2SeqData.translations(lm, sources, src, tgt, join, sw, maxSource,
                            decode);
            List<Row> res = new ArrayList<>(chunk.size());
            int next = 0;
            for (Row r : chunk) {
                String[] s = RnnSeq2Seq.tokens(r, in, array, unit);
                if (s == null || s.length == 0) {
                    res.add(Columns.append(r, null, null));
                } else {
                    Seq2SeqData.Translation y = t.get(next++);
                    res.add(Columns.append(r, y.output(), y.score()));
                }
            }
            return res;
        });
    }

    @Override
    public RnnSeq2SeqModel copy(ParamMap extra) {
        return copyValues(new RnnSeq2SeqModel(uid, folder), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new ModelIO.Writer(this, folder);
    }

    /** Reads a model saved with {@code write().save(path)} (also as a stage of a saved {@code PipelineModel}). */
    public static MLReader<RnnSeq2SeqModel> read() {
        return new ModelIO.Reader<>(RnnSeq2SeqModel.class, RnnSeq2SeqModel::new);
    }

    public static RnnSeq2SeqModel load(String path) {
        return read().load(path);
    }
}
