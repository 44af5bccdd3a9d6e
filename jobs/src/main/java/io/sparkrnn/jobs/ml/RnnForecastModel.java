package io.sparkrnn.jobs.ml;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.forecast.ForecastColumns;
import io.sparkrnn.driver.corpus.forecast.ForecastData;
import io.sparkrnn.driver.corpus.forecast.ForecastReader;
import io.sparkrnn.jobs.InputException;
import io.sparkrnn.jobs.ModelFolder;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.Optional;
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
import scala.Tuple2;

/**
 * A fitted {@link RnnForecaster}: {@code transform} reads the Dataset's rows as one series (the time and feature
 * columns the model was trained on, in any order; ordered by time as training ordered them, standardised with the
 * model's normaliser) and adds {@code predictionCol} to each row that ends a window: the next {@code horizon} values
 * of the targets in original units (array&lt;double&gt;, step by step and, within a step, target by target, named
 * by {@link #outputs}), computed on the executors in batches with the code {@code bin/spark-rnn predict} runs
 * ({@link ForecastData#forecast}). As in {@code predict}, a window needs {@code window} rows up to this one and the
 * {@code horizon} rows after it (their calendar, and with it the forecast's place in the series); the first
 * {@code window - 1} rows and the last {@code horizon} get null. The rows keep their order and other columns. Saved
 * as Spark's metadata plus the model folder in {@code <path>/model}, which {@code predict} reads too.
 */
public final class RnnForecastModel extends Model<RnnForecastModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final transient ModelFolder folder;
    private final transient ModelFolder.Forecaster forecaster;
    private final Param<String> predictionCol;

    RnnForecastModel(String uid, ModelFolder folder) {
        this.uid = uid;
        this.folder = folder;
        this.forecaster = folder.forecaster();
        predictionCol = new Param<>(uid, "predictionCol", "output column of the forecasts (array<double>)");
        setDefault(predictionCol, "forecast");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public RnnForecastModel setPredictionCol(String v) {
        set(predictionCol, v);
        return this;
    }

    /** What the forecast array holds, in its order: {@code <target>_t+<step>}, the names of predict's columns. */
    public String[] outputs() {
        ForecastColumns k = forecaster.columns();
        List<String> n = new ArrayList<>();
        for (int h = 1; h <= k.horizon(); h++) {
            for (String t : k.targets()) {
                n.add(t + "_t+" + h);
            }
        }
        return n.toArray(new String[0]);
    }

    /** Checks the time columns (present) and features (numbers) and adds the forecast column. */
    static StructType outputSchema(StructType schema, List<String> time, List<String> features, String prediction) {
        for (String c : time) {
            Columns.present(schema, "timeColumns", c);
        }
        for (String c : features) {
            Columns.requireNumber(schema, "features", c);
        }
        return Columns.add(schema, "predictionCol", prediction, DataTypes.createArrayType(DataTypes.DoubleType));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        ForecastColumns k = forecaster.columns();
        return outputSchema(schema, k.time(), k.features(), getOrDefault(predictionCol));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema(), true);
        ModelFolder.Forecaster f = forecaster;
        ForecastColumns k = f.columns();
        List<String> columns = new ArrayList<>(k.time());
        columns.addAll(k.features());
        String source = "Dataset columns " + String.join(", ", columns);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        JavaPairRDD<Row, Long> numbered = dataset.toDF().javaRDD().zipWithIndex();
        ForecastReader.Series series;
        try {
            series = ForecastReader.readFrame(sc, Columns.framed(numbered, dataset.schema(), dataset.sparkSession(),
                    source, columns), k.reader(1.0, 0.0, true).withNormalizer(f.normalizer()), source);
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
        int last = k.window() - 1;
        int outputs = k.outputs();
        // per window: the time index of its last input row, and the forecasts (predict's odd columns)
        JavaPairRDD<Long, double[]> byTime = ForecastData.forecast(sc, f.model(), series.train(), k, f.normalizer(),
                f.batch()).mapToPair(r -> {
                    double[] v = new double[outputs];
                    for (int o = 0; o < outputs; o++) {
                        v[o] = (Double) r[1 + 2 * o];
                    }
                    return new Tuple2<>((Long) r[0] + last, v);
                });
        JavaPairRDD<Long, double[]> byRow = series.order().join(byTime).mapToPair(t -> t._2());
        JavaRDD<Row> rows = numbered.mapToPair(Tuple2::swap).leftOuterJoin(byRow).sortByKey()
                .map(t -> Columns.append(t._2()._1(), (Object) forecast(t._2()._2())));
        return dataset.sparkSession().createDataFrame(rows, out);
    }

    /** The forecasts as the array column holds them, or null for a row that ends no window. */
    private static Double[] forecast(Optional<double[]> v) {
        if (!v.isPresent()) {
            return null;
        }
        Double[] a = new Double[v.get().length];
        for (int i = 0; i < a.length; i++) {
            a[i] = v.get()[i];
        }
        return a;
    }

    @Override
    public RnnForecastModel copy(ParamMap extra) {
        return copyValues(new RnnForecastModel(uid, folder), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new ModelIO.Writer(this, folder);
    }

    /** Reads a model saved with {@code write().save(path)} (also as a stage of a saved {@code PipelineModel}). */
    public static MLReader<RnnForecastModel> read() {
        return new ModelIO.Reader<>(RnnForecastModel.class, RnnForecastModel::new);
    }

    public static RnnForecastModel load(String path) {
        return read().load(path);
    }
}
