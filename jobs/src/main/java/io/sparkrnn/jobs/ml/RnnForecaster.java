package io.sparkrnn.jobs.ml;

import io.sparkrnn.jobs.InProcess;
import io.sparkrnn.jobs.ModelFolder;
import io.sparkrnn.jobs.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The time-series forecaster (task {@code forecast}) as a Spark ML estimator: the Dataset's rows are the steps of
 * one series, in any order; {@code timeColumns} give their order (e.g. year, month, day, or one ISO date),
 * {@code features} are read at every step (numbers, or strings holding numbers) and {@code targets} (features too)
 * are predicted, {@code horizon} steps after each window of {@code window} steps. The column lists are
 * comma-separated, as the config keys take them. {@code fit} trains as {@code bin/spark-rnn train} does with
 * {@code task = forecast} on a CSV of those columns: the rows in time order are split into training, validation and
 * test parts (contiguous; {@code validationFraction} / {@code validationRows}, {@code testFraction} /
 * {@code testRows}), standardised with the training part's mean and std, cut into windows, and the round loop runs
 * on the Dataset's own Spark context; each window is read in one truncated-BPTT window ({@code train.k1 =
 * train.k2 = window}). A series cannot skip a step: a null or a value that is not a number stops the
 * fit naming the row, and so does a time that two rows share.
 */
public final class RnnForecaster extends RnnEstimator<RnnForecastModel, RnnForecaster> {
    private static final long serialVersionUID = 1L;
    private final Param<String> timeColumns = bind("timeColumns", "forecast.time-columns");
    private final Param<String> features = bind("features", "forecast.features");
    private final Param<String> targets = bind("targets", "forecast.targets");
    private final IntParam window = bind("window", "forecast.window");
    private final IntParam horizon = bind("horizon", "forecast.horizon");
    private final IntParam season = bind("season", "forecast.season");
    private final Param<String> calendar = bind("calendar", "forecast.calendar");
    private final BooleanParam residual = bind("residual", "forecast.residual");
    private final IntParam validationRows = bind("validationRows", "forecast.validation-rows");
    private final IntParam testRows = bind("testRows", "forecast.test-rows");
    private final DoubleParam testFraction = bind("testFraction", "data.test-fraction");
    private final Param<String> pooling = bind("pooling", "model.pooling");

    public RnnForecaster() {
        this(Identifiable.randomUID("rnnForecaster"));
    }

    public RnnForecaster(String uid) {
        super(uid, "forecast");
    }

    /** The columns of a comma-separated list param. */
    static List<String> names(String list) {
        List<String> n = new ArrayList<>();
        for (String s : list.split(",")) {
            if (!s.isBlank()) {
                n.add(s.trim());
            }
        }
        return n;
    }

    public Param<String> timeColumns() {
        return timeColumns;
    }

    public RnnForecaster setTimeColumns(String v) {
        return setValue(timeColumns, v);
    }

    public Param<String> features() {
        return features;
    }

    public RnnForecaster setFeatures(String v) {
        return setValue(features, v);
    }

    public Param<String> targets() {
        return targets;
    }

    public RnnForecaster setTargets(String v) {
        return setValue(targets, v);
    }

    public IntParam window() {
        return window;
    }

    public int getWindow() {
        return (Integer) getOrDefault(window);
    }

    public RnnForecaster setWindow(int v) {
        return setValue(window, v);
    }

    public IntParam horizon() {
        return horizon;
    }

    public int getHorizon() {
        return (Integer) getOrDefault(horizon);
    }

    public RnnForecaster setHorizon(int v) {
        return setValue(horizon, v);
    }

    public IntParam season() {
        return season;
    }

    public RnnForecaster setSeason(int v) {
        return setValue(season, v);
    }

    public Param<String> calendar() {
        return calendar;
    }

    public RnnForecaster setCalendar(String v) {
        return setValue(calendar, v);
    }

    public BooleanParam residual() {
        return residual;
    }

    public RnnForecaster setResidual(boolean v) {
        return setValue(residual, v);
    }

    public IntParam validationRows() {
        return validationRows;
    }

    public RnnForecaster setValidationRows(int v) {
        return setValue(validationRows, v);
    }

    public IntParam testRows() {
        return testRows;
    }

    public RnnForecaster setTestRows(int v) {
        return setValue(testRows, v);
    }

    public DoubleParam testFraction() {
        return testFraction;
    }

    public RnnForecaster setTestFraction(double v) {
        return setValue(testFraction, v);
    }

    public Param<String> pooling() {
        return pooling;
    }

    public RnnForecaster setPooling(String v) {
        return setValue(pooling, v);
    }

    @Override
    protected StructType validateAndTransformSchema(StructType schema) {
        return RnnForecastModel.outputSchema(schema, names(getOrDefault(timeColumns)), names(getOrDefault(features)),
                getPredictionCol());
    }

    @Override
    public RnnForecastModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        List<String> columns = new ArrayList<>(names(getOrDefault(timeColumns)));
        columns.addAll(names(getOrDefault(features)));
        String source = "Dataset columns " + String.join(", ", columns);
        Dataset<Row> frame = Columns.framed(dataset, source, columns);
        List<String> settings = settings();
        // each window in one truncated-BPTT window
        settings.add("train.k1=" + getWindow());
        settings.add("train.k2=" + getWindow());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        ModelFolder folder;
        try {
            folder = InProcess.trainForecaster(sc, settings, source, s -> frame, runDir(), System.out);
        } catch (ConfigException e) {
            throw badSettings(e);
        }
        return copyValues(new RnnForecastModel(uid(), folder), extractParamMap()).setParent(this);
    }

    @Override
    public RnnForecaster copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Reads an estimator saved with {@code write().save(path)}. */
    public static MLReader<RnnForecaster> read() {
        return new DefaultParamsReader<>();
    }

    public static RnnForecaster load(String path) {
        return read().load(path);
    }
}
