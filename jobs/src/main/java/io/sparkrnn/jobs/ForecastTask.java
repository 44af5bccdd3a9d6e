package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Part;
import io.sparkrnn.driver.corpus.forecast.ForecastColumns;
import io.sparkrnn.driver.corpus.forecast.ForecastData;
import io.sparkrnn.driver.corpus.forecast.ForecastReader;
import io.sparkrnn.driver.corpus.forecast.ForecastSettings;
import io.sparkrnn.driver.corpus.forecast.ForecastWindow;
import io.sparkrnn.driver.corpus.forecast.Normalizer;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobSettings;
import io.sparkrnn.jobs.config.ModelSection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Time-series forecasting from a CSV: rows in time order are split into training, validation and test parts
 * (contiguous, never shuffled; sizes as fractions or, {@code forecast.validation-rows} and
 * {@code forecast.test-rows}, in rows), standardised with the training part's mean and std (saved as
 * {@code normalizer.json}), and cut into windows of W steps that predict the next H values of the target
 * columns, with optional calendar covariates of the predicted days (see {@link ForecastReader}). The model
 * learns the level or, with {@code forecast.residual}, the residual over the seasonal-naive forecast
 * {@code x[t + h] = x[t + h - S * (floor(h / S) + 1)]} (S = {@code forecast.season}; for daily births S = 7:
 * the same weekday a week earlier), which is added back before any metric. Metrics in the original units: MAE
 * and RMSE of the model and of the seasonal-naive forecast on the same predicted rows.
 */
final class ForecastTask implements Task {
    /** The normaliser's file in a model folder (inspect and export show it). */
    static final String NORMALIZER = ForecastData.NORMALIZER;

    @Override
    public String name() {
        return "forecast";
    }

    private static SequenceSpec spec(JobSettings job, int inputs, int outputs) {
        ModelSection m = job.model();
        return SequenceSpec.regressor(inputs, m.cell(), m.hidden(), m.layers(), m.bidirectional(), m.dropout(),
                m.pooling(), outputs).withIoDropout(m.ioDropout());
    }

    @Override
    public PreparedData prepare(JavaSparkContext sc, JobSettings job) {
        return prepare(sc, job, (Normalizer) null);
    }

    /** The data normalised with {@code normalizer} (a warm start's parent's); null fits one on the training rows. */
    PreparedData prepare(JavaSparkContext sc, JobSettings job, Normalizer normalizer) {
        ForecastSettings s = settings(job, normalizer);
        try {
            return ForecastData.prepare(sc, s);
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /**
     * As {@link #prepare}, the series in the rows {@code frame} gives (file, 0-based row, the time columns, then the
     * features: {@link ForecastReader#readFrame}, e.g. a Spark Dataset's) instead of data.train.
     */
    PreparedData prepare(JavaSparkContext sc, JobSettings job, Function<JavaSparkContext, Dataset<Row>> frame) {
        ForecastSettings s = settings(job, null);
        try {
            return ForecastData.prepare(sc, s, spec -> ForecastReader.readFrame(sc, frame.apply(sc), spec, s.train()));
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    private static ForecastSettings settings(JobSettings job, Normalizer normalizer) {
        return new ForecastSettings(job.data().train(), job.forecast(), job.data().validationFraction(),
                job.data().testFraction(), job.train().batch(), job.train().partitions(),
                job.train().seed(), (inputs, outputs) -> spec(job, inputs, outputs), normalizer);
    }

    /**
     * All windows of {@code data} (or of its validation or test part, cut as training cut it), normalised with the
     * model's saved normaliser ({@link ForecastData#windows}).
     */
    static JavaRDD<ForecastWindow> windows(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        JobSettings cfg = m.settings();
        ForecastColumns k = cfg.forecast();
        Normalizer saved = Normalizer.fromJson(m.file(NORMALIZER));
        double test = cfg.data().testFraction();
        if (part == Part.TEST && !(test > 0) && k.testRows() == 0) {
            throw new ConfigException("--part test: the model in " + m.dir() + " was trained without a test "
                    + "part (data.test-fraction = 0, forecast.test-rows = 0); use --part validation");
        }
        return ForecastData.windows(sc, data, k, saved, cfg.data().validationFraction(), test, part);
    }

    @Override
    public ObjectNode evaluate(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ForecastData.errors(sc, m.local(), windows(sc, m, data, part), m.settings().forecast(),
                Normalizer.fromJson(m.file(NORMALIZER)), m.batch()).toJson(n, "");
        return n;
    }

    /**
     * For every window of W rows followed by H rows: the window's first row (0-based, time order), the time of the
     * first predicted row, then per target and step the forecast and the actual value, in original units; then
     * the forecast of the H steps after the data (actual values NaN), or one line saying why there is none
     * ({@link ForecastData#predictions}).
     */
    @Override
    public long predict(JavaSparkContext sc, TrainedModel m, String data, PredictionWriter out) {
        if (out.inputFormat() != null && !out.inputFormat().equals("csv")) {
            throw new ConfigException("--input-format for a forecaster must be csv, found " + out.inputFormat());
        }
        ForecastColumns k = m.settings().forecast();
        Normalizer norm = Normalizer.fromJson(m.file(NORMALIZER));
        ForecastData.Predictions p;
        try {
            p = ForecastData.predictions(sc, data, k, norm, m.local(), m.batch());
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
        if (p.omitted() != null) {
            System.err.println("spark-rnn: no forecast after the data's last row: " + p.omitted());
        }
        JavaRDD<Object[]> rows = p.rows();
        List<PredictionWriter.Column> cols = new ArrayList<>();
        cols.add(new PredictionWriter.Column("window_start", Long.class));
        cols.add(new PredictionWriter.Column("time", String.class));
        for (int h = 1; h <= k.horizon(); h++) {
            for (String t : k.targets()) {
                cols.add(new PredictionWriter.Column(t + "_t+" + h, Double.class));
                cols.add(new PredictionWriter.Column(t + "_t+" + h + "_actual", Double.class));
            }
        }
        return out.write(sc, cols, rows);
    }
}
