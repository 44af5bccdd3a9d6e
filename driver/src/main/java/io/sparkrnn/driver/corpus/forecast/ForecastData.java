package io.sparkrnn.driver.corpus.forecast;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Part;
import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.driver.task.PreparedData.Validation;
import io.sparkrnn.engine.model.SequenceSpec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * A series prepared for training: rows in time order split into training, validation and test parts (contiguous,
 * never shuffled), standardised with the training part's mean and std (saved as {@code normalizer.json}), cut
 * into windows (see {@link ForecastReader}) and, with {@link ForecastColumns#residual}, turned into residuals over
 * the seasonal-naive forecast. Metrics in the original units: MAE and RMSE of the model and of two baselines on
 * the same predicted rows, the seasonal-naive forecast ({@code seasonal_naive_*}) and persistence
 * ({@code persistence_*}: the last observed value repeated over the horizon, {@link ForecastColumns#persistence}).
 */
public final class ForecastData {
    public static final String NORMALIZER = "normalizer.json";

    private ForecastData() {
    }

    /**
     * Reads, splits and normalises the series and builds the window partitions; throws {@link CorpusException}
     * for bad or too little data.
     */
    public static PreparedData prepare(JavaSparkContext sc, ForecastSettings settings) {
        return prepare(sc, settings, spec -> ForecastReader.read(sc, settings.train(), spec));
    }

    /**
     * As {@link #prepare(JavaSparkContext, ForecastSettings)}, the series read by {@code read} with the split's
     * spec (e.g. {@link ForecastReader#readFrame} on a Spark Dataset's rows) instead of from the CSV
     * {@code settings.train()}, which names it.
     */
    public static PreparedData prepare(JavaSparkContext sc, ForecastSettings settings,
            Function<ForecastReader.Spec, ForecastReader.Series> read) {
        ForecastColumns k = settings.columns();
        double val = settings.validationFraction();
        double test = settings.testFraction();
        ForecastReader.Series s = read.apply(k.reader(1 - val - test, val, false)
                .withNormalizer(settings.normalizer()));
        SeasonalNaive naive = k.naive();
        JavaRDD<ForecastWindow> trainW = k.residual() ? s.train().map(naive::residual) : s.train();
        JavaRDD<SequencePartition> parts;
        try {
            parts = WindowBatching.of(trainW, k.window(), k.width(), k.outputs(), settings.batch(),
                    settings.partitions(), settings.seed());
        } catch (RuntimeException e) {
            throw new CorpusException(settings.train() + ": " + e.getMessage());
        }
        JavaRDD<ForecastWindow> valid = s.validation().persist(StorageLevel.MEMORY_AND_DISK_SER());
        JavaRDD<ForecastWindow> testW = s.test().persist(StorageLevel.MEMORY_AND_DISK_SER());
        long nValid = valid.count();
        long nTest = test > 0 || k.testRows() > 0 ? testW.count() : 0;
        if (nValid == 0) {
            throw new CorpusException(settings.train() + ": the validation part (" + s.validationRows() + " rows) is "
                    + "shorter than window + horizon = " + (k.window() + k.horizon()) + "; raise "
                    + "data.validation-fraction");
        }
        SequenceSpec spec = settings.spec().apply(k.width(), k.outputs());
        Normalizer norm = s.normalizer();
        String describe = String.format(Locale.ROOT, "series %s: %,d rows: %,d training, %,d validation, %,d test "
                + "(time order); windows of %d steps (%d inputs a step) predicting %d step(s) of %s%s; %,d "
                + "validation and %,d test windows%n", settings.train(), s.rows(), s.trainRows(), s.validationRows(),
                s.rows() - s.trainRows() - s.validationRows(), k.window(), k.width(), k.horizon(), k.targets(),
                k.residual() ? " (as residuals over the seasonal-naive value)" : "", nValid, nTest);
        Map<String, byte[]> files = Map.of(NORMALIZER, norm.toJson().getBytes(StandardCharsets.UTF_8));
        int batch = settings.batch();
        return new PreparedData(spec, files, parts, describe, PreparedData.HeldOut.of(params -> {
            Errors e = errors(sc, LocalModel.of(spec, params), valid, k, norm, batch);
            return Validation.of(e.mae(), "mae", e.mae(), "rmse", e.rmse(), "mae_vs_seasonal_naive",
                    e.mae() / e.naiveMae());
        }, params -> {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            LocalModel m = LocalModel.of(spec, params);
            errors(sc, m, valid, k, norm, batch).toJson(n, "valid_");
            n.set("valid_series", series(sc, m, valid, nValid, k, norm, batch));
            if (nTest > 0) {
                errors(sc, m, testW, k, norm, batch).toJson(n, "test_");
                n.set("test_series", series(sc, m, testW, nTest, k, norm, batch));
            }
            return n;
        }));
    }

    /**
     * All windows of a series (or of its validation or test {@code part}, cut as training cut it with the
     * validation and test fractions and {@code k}'s row counts), normalised with the model's {@code saved}
     * normaliser: the reader standardises with the series' own statistics, which is undone per column
     * ({@code z' = (x - mean') / std'} with {@code x = z * std + mean}); calendar covariates are not standardised.
     */
    public static JavaRDD<ForecastWindow> windows(JavaSparkContext sc, String data, ForecastColumns k,
            Normalizer saved, double validationFraction, double testFraction, Part part) {
        ForecastReader.Series s;
        JavaRDD<ForecastWindow> chosen;
        if (part == Part.ALL) {
            s = ForecastReader.read(sc, data, k.reader(1.0, 0.0, true));
            chosen = s.train();
        } else {
            // the parts in time order as training cut them (data.*-fraction, forecast.*-rows)
            s = ForecastReader.read(sc, data, k.reader(1 - validationFraction - testFraction, validationFraction,
                    false));
            chosen = part == Part.VALIDATION ? s.validation() : s.test();
        }
        return normalised(chosen, s.normalizer(), saved, k);
    }

    /**
     * What a forecaster's predict writes: per window of the whole series {@code data} in time order, the window's
     * first row, the time of the first predicted row (an ISO date when the time columns give one, else their
     * values joined by commas), then per step and target the forecast and the actual value in original units;
     * then the window of the steps after the data ({@link FutureWindow}, actual values NaN), or, when there is
     * none, {@code omitted} says why.
     */
    public record Predictions(JavaRDD<Object[]> rows, String omitted) {
    }

    /** The {@link Predictions} of {@code model} (normaliser {@code saved}) on the series {@code data}. */
    public static Predictions predictions(JavaSparkContext sc, String data, ForecastColumns k, Normalizer saved,
            LocalModel model, int batch) {
        ForecastReader.Spec spec = k.reader(1.0, 0.0, true);
        ForecastReader.Series s = ForecastReader.read(sc, data, spec);
        long w = k.window();
        JavaRDD<Object[]> known = forecast(sc, model, normalised(s.train(), s.normalizer(), saved, k), k, saved,
                batch).mapToPair(r -> new scala.Tuple2<>((Long) r[0] + w, r))
                .join(s.times().mapValues(ForecastData::stamp)).sortByKey()
                .map(t -> stamped(t._2()._1(), t._2()._2()));
        FutureWindow future = FutureWindow.of(s, spec);
        if (future.window() == null) {
            return new Predictions(known, future.reason());
        }
        String time = future.times().get(0);
        JavaRDD<Object[]> next = forecast(sc, model, normalised(sc.parallelize(List.of(future.window()), 1),
                s.normalizer(), saved, k), k, saved, batch).map(r -> stamped(r, time));
        return new Predictions(known.union(next), null);
    }

    /** A row's time: its ISO date when the time columns give one, else their values joined by commas. */
    private static String stamp(String[] time) {
        try {
            return Calendar.date(time).toString();
        } catch (CorpusException e) {
            return String.join(",", time);
        }
    }

    /** {@code row} with {@code time} after its first value. */
    private static Object[] stamped(Object[] row, String time) {
        Object[] out = new Object[row.length + 1];
        out[0] = row[0];
        out[1] = time;
        System.arraycopy(row, 1, out, 2, row.length - 1);
        return out;
    }

    /**
     * {@code windows}, standardised with a series' own statistics {@code own}, standardised with {@code saved}
     * instead (a model's normaliser): {@code z' = (x - mean') / std'} with {@code x = z * std + mean}, per feature
     * column; calendar covariates are not standardised.
     */
    public static JavaRDD<ForecastWindow> normalised(JavaRDD<ForecastWindow> windows, Normalizer own,
            Normalizer saved, ForecastColumns k) {
        int f = k.features().size();
        int width = k.width();
        int[] tf = k.targetFeatures();
        return windows.map(w -> {
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

    /**
     * Absolute and squared errors in original units, summed over windows, steps and targets, for the model, the
     * seasonal-naive forecast and persistence.
     */
    public record Errors(long count, double abs, double sq, double naiveAbs, double naiveSq, double persistenceAbs,
            double persistenceSq) implements Serializable {
        /** No values yet. */
        public static final Errors NONE = new Errors(0, 0, 0, 0, 0, 0, 0);

        public Errors plus(Errors o) {
            return new Errors(count + o.count, abs + o.abs, sq + o.sq, naiveAbs + o.naiveAbs, naiveSq + o.naiveSq,
                    persistenceAbs + o.persistenceAbs, persistenceSq + o.persistenceSq);
        }

        /** One forecast {@code pred} of {@code truth} with the baselines' {@code naive} and {@code persistence}. */
        public Errors plus(double truth, double pred, double naive, double persistence) {
            return new Errors(count + 1, abs + Math.abs(pred - truth), sq + (pred - truth) * (pred - truth),
                    naiveAbs + Math.abs(naive - truth), naiveSq + (naive - truth) * (naive - truth),
                    persistenceAbs + Math.abs(persistence - truth),
                    persistenceSq + (persistence - truth) * (persistence - truth));
        }

        public double mae() {
            return abs / count;
        }

        public double rmse() {
            return Math.sqrt(sq / count);
        }

        public double naiveMae() {
            return naiveAbs / count;
        }

        public double persistenceMae() {
            return persistenceAbs / count;
        }

        public void toJson(ObjectNode n, String prefix) {
            n.put(prefix + "mae", mae());
            n.put(prefix + "rmse", rmse());
            n.put(prefix + "seasonal_naive_mae", naiveMae());
            n.put(prefix + "seasonal_naive_rmse", Math.sqrt(naiveSq / count));
            n.put(prefix + "mae_vs_seasonal_naive", mae() / naiveMae());
            n.put(prefix + "persistence_mae", persistenceMae());
            n.put(prefix + "persistence_rmse", Math.sqrt(persistenceSq / count));
            n.put(prefix + "mae_vs_persistence", mae() / persistenceMae());
            n.put(prefix + "values", count);
        }
    }

    /** The model's and the baselines' errors on {@code windows}, computed in the tasks. */
    public static Errors errors(JavaSparkContext sc, LocalModel model, JavaRDD<ForecastWindow> windows,
            ForecastColumns k, Normalizer norm, int batch) {
        Broadcast<LocalModel> b = sc.broadcast(model);
        int f = k.width();
        int[] tf = k.targetFeatures();
        SeasonalNaive naive = k.naive();
        SeasonalNaive persistence = k.persistence();
        try {
            return windows.mapPartitions(it -> {
                LocalModel m = b.value().copy();
                Errors e = Errors.NONE;
                for (List<ForecastWindow> chunk : LocalModel.chunks(it, batch)) {
                    List<float[]> in = new ArrayList<>();
                    chunk.forEach(w -> in.add(w.inputs()));
                    float[][] out = m.regress(in, k.window(), f);
                    for (int r = 0; r < chunk.size(); r++) {
                        ForecastWindow w = chunk.get(r);
                        for (int h = 0; h < k.horizon(); h++) {
                            for (int j = 0; j < tf.length; j++) {
                                int o = h * tf.length + j;
                                e = e.plus(norm.invert(tf[j], w.targets()[o]),
                                        norm.invert(tf[j], k.forecast(out[r][o], w, o, naive)),
                                        norm.invert(tf[j], naive.at(w, h, j)),
                                        norm.invert(tf[j], persistence.at(w, h, j)));
                            }
                        }
                    }
                }
                return Collections.singletonList(e).iterator();
            }).reduce(Errors::plus);
        } finally {
            b.destroy();
        }
    }

    /** Points a {@link #series} holds at most. */
    public static final int SERIES_POINTS = 1000;

    /**
     * The first target one step ahead, in original units, for a plot of a part: {@code target} (its name), and
     * per window in time order {@code row} (the index in the series of the predicted row), {@code actual},
     * {@code forecast}, {@code seasonal_naive} and {@code persistence} (the window's last value); every {@code ceil(windows / SERIES_POINTS)}-th window when
     * there are more, so that at most {@link #SERIES_POINTS} points reach the driver.
     */
    public static ObjectNode series(JavaSparkContext sc, LocalModel model, JavaRDD<ForecastWindow> windows,
            long count, ForecastColumns k, Normalizer norm, int batch) {
        long stride = Math.max(1, (count + SERIES_POINTS - 1) / SERIES_POINTS);
        Broadcast<LocalModel> b = sc.broadcast(model);
        int f = k.width();
        int target = k.targetFeatures()[0];
        SeasonalNaive naive = k.naive();
        SeasonalNaive persistence = k.persistence();
        List<double[]> points;
        try {
            points = windows.filter(w -> w.start() % stride == 0).mapPartitions(it -> {
                LocalModel m = b.value().copy();
                List<double[]> res = new ArrayList<>();
                for (List<ForecastWindow> chunk : LocalModel.chunks(it, batch)) {
                    List<float[]> in = new ArrayList<>();
                    chunk.forEach(w -> in.add(w.inputs()));
                    float[][] out = m.regress(in, k.window(), f);
                    for (int r = 0; r < chunk.size(); r++) {
                        ForecastWindow w = chunk.get(r);
                        res.add(new double[] {w.start() + k.window(), norm.invert(target, w.targets()[0]),
                                norm.invert(target, k.forecast(out[r][0], w, 0, naive)),
                                norm.invert(target, naive.at(w, 0, 0)),
                                norm.invert(target, persistence.at(w, 0, 0))});
                    }
                }
                return res.iterator();
            }).takeOrdered(SERIES_POINTS, ByRow.INSTANCE);
        } finally {
            b.destroy();
        }
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("target", k.targets().get(0));
        String[] names = {"row", "actual", "forecast", "seasonal_naive", "persistence"};
        for (int c = 0; c < names.length; c++) {
            ArrayNode a = n.putArray(names[c]);
            for (double[] p : points) {
                if (c == 0) {
                    a.add((long) p[0]);
                } else {
                    a.add(p[c]);
                }
            }
        }
        return n;
    }

    /** Points of {@link #series} by row. */
    private enum ByRow implements java.util.Comparator<double[]>, Serializable {
        INSTANCE;

        @Override
        public int compare(double[] a, double[] b) {
            return Double.compare(a[0], b[0]);
        }
    }

    /**
     * The model's forecast of every window, in the tasks: rows (the window's first row, then per step and target
     * the forecast and the actual value, in original units).
     */
    public static JavaRDD<Object[]> forecast(JavaSparkContext sc, LocalModel model, JavaRDD<ForecastWindow> windows,
            ForecastColumns k, Normalizer norm, int batch) {
        Broadcast<LocalModel> b = sc.broadcast(model);
        int f = k.width();
        int[] tf = k.targetFeatures();
        SeasonalNaive naive = k.naive();
        return windows.mapPartitions(it -> {
            LocalModel lm = b.value().copy();
            List<Object[]> res = new ArrayList<>();
            for (List<ForecastWindow> chunk : LocalModel.chunks(it, batch)) {
                List<float[]> in = new ArrayList<>();
                chunk.forEach(w -> in.add(w.inputs()));
                float[][] pred = lm.regress(in, k.window(), f);
                for (int r = 0; r < chunk.size(); r++) {
                    Object[] row = new Object[1 + 2 * k.outputs()];
                    row[0] = chunk.get(r).start();
                    for (int o = 0; o < k.outputs(); o++) {
                        int c = tf[o % tf.length];
                        row[1 + 2 * o] = norm.invert(c, k.forecast(pred[r][o], chunk.get(r), o, naive));
                        row[2 + 2 * o] = norm.invert(c, chunk.get(r).targets()[o]);
                    }
                    res.add(row);
                }
            }
            return res.iterator();
        });
    }
}
