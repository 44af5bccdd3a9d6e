package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.forecast.Calendar;
import io.sparkrnn.driver.corpus.forecast.ForecastColumns;
import io.sparkrnn.driver.corpus.forecast.ForecastData;
import io.sparkrnn.driver.corpus.forecast.ForecastReader;
import io.sparkrnn.driver.corpus.forecast.ForecastSettings;
import io.sparkrnn.driver.corpus.forecast.ForecastWindow;
import io.sparkrnn.driver.corpus.forecast.Normalizer;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.model.SequenceSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

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

    @Override
    public List<String> formats() {
        return List.of("csv");
    }

    @Override
    public String defaultFormat() {
        return "csv";
    }

    /** The columns and sizes from the config. */
    static ForecastColumns columns(JobConfig c) {
        return new ForecastColumns(list(c.getString("forecast.time-columns")), list(c.getString("forecast.features")),
                list(c.getString("forecast.targets")), c.getInt("forecast.window"), c.getInt("forecast.horizon"),
                c.getInt("forecast.season"), list(c.getString("forecast.calendar")), c.getBoolean("forecast.residual"),
                c.getInt("forecast.validation-rows"), c.getInt("forecast.test-rows"));
    }

    private static List<String> list(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    @Override
    public void check(JobConfig c) {
        ForecastColumns k = columns(c);
        String where = c.source() + ": ";
        if (k.time().isEmpty() || k.features().isEmpty() || k.targets().isEmpty()) {
            throw new ConfigException(where + "forecast.time-columns, forecast.features and forecast.targets must each "
                    + "name at least one column");
        }
        if (!k.features().containsAll(k.targets())) {
            throw new ConfigException(where + "forecast.targets " + k.targets() + " must also be in forecast.features "
                    + k.features());
        }
        if (k.season() > k.window()) {
            throw new ConfigException(where + "forecast.season (" + k.season() + ") must be <= forecast.window ("
                    + k.window() + "): the seasonal-naive baseline reads the window");
        }
        if (k.window() > c.getInt("train.k1")) {
            throw new ConfigException(where + "forecast.window (" + k.window() + ") must be <= train.k1 ("
                    + c.getInt("train.k1") + "): each window is trained in one truncated-BPTT window");
        }
        for (String cov : k.calendar()) {
            if (!Calendar.NAMES.contains(cov)) {
                throw new ConfigException(where + "forecast.calendar: unknown covariate '" + cov + "'; expected some "
                        + "of " + Calendar.NAMES);
            }
        }
        if (!k.calendar().isEmpty() && k.time().size() != 1 && k.time().size() != 3) {
            throw new ConfigException(where + "forecast.calendar needs a date: forecast.time-columns must be 3 "
                    + "columns (year, month, day) or 1 ISO date column, found " + k.time());
        }
        if (!(c.getDouble("data.validation-fraction") > 0) && k.validationRows() == 0) {
            throw new ConfigException(where + "task = forecast needs data.validation-fraction > 0 or "
                    + "forecast.validation-rows > 0 (the rows after the training part)");
        }
        if (!c.getString("data.validation").isEmpty()) {
            throw new ConfigException(where + "task = forecast splits one series by time (data.validation-fraction, "
                    + "data.test-fraction); data.validation is not used, leave it empty");
        }
    }

    private static SequenceSpec spec(TrainCommand.Job job, int inputs, int outputs) {
        TrainCommand.ModelSettings m = job.model();
        return SequenceSpec.regressor(inputs, m.cell(), m.hidden(), m.layers(), m.bidirectional(), m.dropout(),
                m.pooling(), outputs).withIoDropout(m.ioDropout());
    }

    @Override
    public PreparedData prepare(JavaSparkContext sc, TrainCommand.Job job, JobConfig c) {
        return prepare(sc, job, c, null);
    }

    /** The data normalised with {@code normalizer} (a warm start's parent's); null fits one on the training rows. */
    PreparedData prepare(JavaSparkContext sc, TrainCommand.Job job, JobConfig c, Normalizer normalizer) {
        ForecastSettings s = new ForecastSettings(job.train(), columns(c), c.getDouble("data.validation-fraction"),
                c.getDouble("data.test-fraction"), job.batch(), job.partitions(),
                job.seed(), (inputs, outputs) -> spec(job, inputs, outputs), normalizer);
        try {
            return ForecastData.prepare(sc, s);
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        }
    }

    /**
     * All windows of a series (or of its validation or test part, cut as training cut it), normalised with the
     * model's saved normaliser: the reader standardises with the
     * series' own statistics, which is undone per column ({@code z' = (x - mean') / std'} with
     * {@code x = z * std + mean}); calendar covariates are not standardised.
     */
    static JavaRDD<ForecastWindow> windows(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        JobConfig cfg = m.config();
        ForecastColumns k = columns(cfg);
        Normalizer saved = Normalizer.fromJson(m.file(NORMALIZER));
        ForecastReader.Series s;
        JavaRDD<ForecastWindow> chosen;
        if (part == Part.ALL) {
            s = ForecastReader.read(sc, data, k.reader(1.0, 0.0, true));
            chosen = s.train();
        } else {
            // the parts in time order as training cut them (data.*-fraction, forecast.*-rows)
            double val = cfg.getDouble("data.validation-fraction");
            double test = cfg.getDouble("data.test-fraction");
            if (part == Part.TEST && !(test > 0) && k.testRows() == 0) {
                throw new ConfigException("--part test: the model in " + m.dir() + " was trained without a test "
                        + "part (data.test-fraction = 0, forecast.test-rows = 0); use --part validation");
            }
            s = ForecastReader.read(sc, data, k.reader(1 - val - test, val, false));
            chosen = part == Part.VALIDATION ? s.validation() : s.test();
        }
        Normalizer own = s.normalizer();
        int f = k.features().size();
        int width = k.width();
        int[] tf = k.targetFeatures();
        return chosen.map(w -> {
            float[] in = w.inputs().clone();
            for (int i = 0; i < in.length; i++) {
                if (i % width < f) {
                    in[i] = saved.apply(i % width, own.invert(i % width, in[i]));
                }
            }
            float[] out = w.targets().clone();
            for (int i = 0; i < out.length; i++) {
                int c = tf[i % tf.length];
                out[i] = saved.apply(c, own.invert(c, out[i]));
            }
            return new ForecastWindow(w.start(), in, out);
        });
    }

    @Override
    public ObjectNode evaluate(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ForecastData.errors(sc, m.local(), windows(sc, m, data, part), columns(m.config()),
                Normalizer.fromJson(m.file(NORMALIZER)), m.batch()).toJson(n, "");
        return n;
    }

    /**
     * For every window of W rows followed by H rows: the window's first row (0-based, time order), then per
     * target and step the forecast and the actual value, in original units.
     */
    @Override
    public long predict(JavaSparkContext sc, TrainedModel m, String data, PredictionWriter out) {
        if (out.inputFormat() != null && !out.inputFormat().equals("csv")) {
            throw new ConfigException("--input-format for a forecaster must be csv, found " + out.inputFormat());
        }
        ForecastColumns k = columns(m.config());
        Normalizer norm = Normalizer.fromJson(m.file(NORMALIZER));
        JavaRDD<Object[]> rows = ForecastData.forecast(sc, m.local(), windows(sc, m, data, Part.ALL), k, norm,
                m.batch());
        List<PredictionWriter.Column> cols = new ArrayList<>();
        cols.add(new PredictionWriter.Column("window_start", Long.class));
        for (int h = 1; h <= k.horizon(); h++) {
            for (String t : k.targets()) {
                cols.add(new PredictionWriter.Column(t + "_t+" + h, Double.class));
                cols.add(new PredictionWriter.Column(t + "_t+" + h + "_actual", Double.class));
            }
        }
        return out.write(sc, cols, rows);
    }
}
