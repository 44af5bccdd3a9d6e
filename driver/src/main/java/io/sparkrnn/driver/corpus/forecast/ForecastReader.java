package io.sparkrnn.driver.corpus.forecast;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Inputs;
import io.sparkrnn.driver.corpus.Lines;
import io.sparkrnn.driver.corpus.ParquetInput;
import io.sparkrnn.driver.corpus.bad.BadReason;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.bad.BadReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.rdd.RDDFunctions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import scala.reflect.ClassTag$;

/**
 * Forecasting series from CSV with a header or from named Parquet columns: rows are ordered by the time columns, split by time into
 * train / validation / test (contiguous, never shuffled across), standardised with mean and std fitted on the
 * training rows only, and cut into sliding windows of W steps predicting the next H values of the target
 * columns. A window belongs to the part that holds all the H rows it predicts; its inputs are the W rows before
 * them, which for the first windows of the validation and test parts reach back into the part before (observed
 * history, never a later row), so every row of a part after its first H - 1 is predicted once. Optional
 * calendar covariates ({@link Calendar}) of the row H steps ahead are appended to each input step, so the last H
 * steps of a window carry the calendars of the H predicted days. Only counts and the column statistics reach
 * the driver.
 */
public final class ForecastReader {
    private ForecastReader() {
    }

    /**
     * What to read.
     *
     * @param timeColumns columns giving the order (compared numerically when both values are integers, else as
     *     text, so ISO dates work), e.g. year, month, date_of_month
     * @param featureColumns columns fed to the model at every step (F = their number)
     * @param targetColumns columns predicted (K = their number); each must also be a feature column
     * @param window W, steps per input window
     * @param horizon H, steps predicted after the window
     * @param trainFraction share of rows (in time order) for training; validation follows, then test
     * @param calendar calendar covariates ({@link Calendar#NAMES}) appended to every input step (C values, not
     *     standardised); empty = none
     * @param validationRows rows of the validation part; 0 = {@code floor(rows * validationFraction)}
     * @param testRows rows of the test part, the last ones; 0 = what the two fractions leave
     * @param normalizer the normaliser of the features (a warm start's parent's); null fits one on the training rows
     */
    public record Spec(List<String> timeColumns, List<String> featureColumns, List<String> targetColumns, int window,
            int horizon, double trainFraction, double validationFraction, List<String> calendar,
            long validationRows, long testRows, Normalizer normalizer) implements Serializable {
        public Spec {
            if (normalizer != null && !Arrays.asList(normalizer.columns()).equals(featureColumns)) {
                throw new IllegalArgumentException("the normaliser is for columns " + Arrays.toString(
                        normalizer.columns()) + ", the features are " + featureColumns);
            }
            if (window < 1 || horizon < 1) {
                throw new IllegalArgumentException("window and horizon must be >= 1, found " + window + ", " + horizon);
            }
            if (!(trainFraction > 0 && validationFraction >= 0 && trainFraction + validationFraction <= 1)) {
                throw new IllegalArgumentException("expected trainFraction > 0, validationFraction >= 0 and their sum"
                        + " <= 1, found " + trainFraction + " and " + validationFraction);
            }
            if (!featureColumns.containsAll(targetColumns) || targetColumns.isEmpty()) {
                throw new IllegalArgumentException("target columns " + targetColumns + " must be a non-empty subset of"
                        + " the feature columns " + featureColumns);
            }
            if (validationRows < 0 || testRows < 0) {
                throw new IllegalArgumentException("validationRows and testRows must be >= 0, found " + validationRows
                        + ", " + testRows);
            }
            new Calendar(calendar);
        }

        /** A normaliser fitted on the training rows. */
        public Spec(List<String> timeColumns, List<String> featureColumns, List<String> targetColumns, int window,
                int horizon, double trainFraction, double validationFraction, List<String> calendar,
                long validationRows, long testRows) {
            this(timeColumns, featureColumns, targetColumns, window, horizon, trainFraction, validationFraction,
                    calendar, validationRows, testRows, null);
        }

        /** This spec normalising with {@code fixed} (a warm start's parent's), or fitting one when null. */
        public Spec withNormalizer(Normalizer fixed) {
            return new Spec(timeColumns, featureColumns, targetColumns, window, horizon, trainFraction,
                    validationFraction, calendar, validationRows, testRows, fixed);
        }

        /** Fraction splits, no calendar covariates. */
        public Spec(List<String> timeColumns, List<String> featureColumns, List<String> targetColumns, int window,
                int horizon, double trainFraction, double validationFraction) {
            this(timeColumns, featureColumns, targetColumns, window, horizon, trainFraction, validationFraction,
                    List.of(), 0, 0);
        }

        /** Values per input step: F features, then C calendar covariates. */
        public int stepWidth() {
            return featureColumns.size() + new Calendar(calendar).width();
        }
    }

    /**
     * The three splits, their row counts and the normaliser (over the feature columns, fitted on train unless the
     * spec gives one); {@code order} maps each row's index in time order (a window's {@link ForecastWindow#start}
     * counts in it) to where it was read (CSV: its line; Parquet or a frame: its 0-based row), {@code times} to its
     * time-column values and {@code steps} to its F standardised features, then the C calendar covariates of
     * its own date (computed when used).
     */
    public record Series(JavaRDD<ForecastWindow> train, JavaRDD<ForecastWindow> validation,
            JavaRDD<ForecastWindow> test, long rows, long trainRows, long validationRows, Normalizer normalizer,
            BadReport bad, JavaPairRDD<Long, Long> order, JavaPairRDD<Long, String[]> times,
            JavaPairRDD<Long, float[]> steps) {
    }

    /** A parsed row: time key, raw feature values and where it was read (line or row). */
    private record Row(TimeKey key, double[] values, long at) implements Serializable {
    }

    /**
     * Why a series tolerates no bad row, whatever {@code data.max-bad-fraction} says: skipping a row would make
     * every window across it join the rows either side as if they were adjacent.
     */
    static final String NO_GAPS = "a time series cannot skip a row (every window across it would join the rows "
            + "either side): fix or remove the row";

    /** Reads, orders, splits, normalises and windows the series at {@code path}. */
    public static Series read(JavaSparkContext sc, String path, Spec spec) {
        Inputs.require(sc, path);
        String[] header = header(sc, path);
        int[] timeIdx = indices(header, spec.timeColumns(), path);
        int[] featIdx = indices(header, spec.featureColumns(), path);
        int columns = header.length;
        BadRecords bad = BadRecords.noneTolerated(sc, path, NO_GAPS);
        JavaRDD<Row> rows = Lines.read(sc, path, bad).flatMap(l -> {
            if (l.number() == 1 || l.text().isBlank()) {
                return Collections.emptyIterator();
            }
            String[] cols = l.text().split(",", -1);
            if (cols.length != columns) {
                bad.skip(l.file(), l.number(), BadReason.WRONG_COLUMN_COUNT, "expected " + columns + ", found "
                        + cols.length);
                return Collections.emptyIterator();
            }
            double[] v = new double[featIdx.length];
            for (int i = 0; i < featIdx.length; i++) {
                String s = cols[featIdx[i]].trim();
                try {
                    v[i] = Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    v[i] = Double.NaN;
                }
                if (!Double.isFinite(v[i])) {
                    bad.skip(l.file(), l.number(), BadReason.UNPARSABLE_NUMBER, "column " + header[featIdx[i]]
                            + " = '" + s + "'");
                    return Collections.emptyIterator();
                }
            }
            String[] key = new String[timeIdx.length];
            for (int i = 0; i < timeIdx.length; i++) {
                key[i] = cols[timeIdx[i]].trim();
            }
            return List.of(new Row(new TimeKey(key), v, l.number())).iterator();
        });
        return fromRows(rows, bad, spec, path);
    }

    /**
     * The series in the spec's time columns (any type, ordered as {@link #read} orders CSV text) and feature
     * columns (numbers, or strings holding numbers) of the Parquet files at {@code path}. A null is a
     * {@link BadReason#NULL_VALUE}, a value that is not a finite number a {@link BadReason#UNPARSABLE_NUMBER}.
     * Then split, normalised and windowed exactly as {@link #read}.
     */
    public static Series readParquet(JavaSparkContext sc, String path, Spec spec) {
        List<String> cols = new ArrayList<>(spec.timeColumns());
        cols.addAll(spec.featureColumns());
        return readFrame(sc, ParquetInput.frame(sc, path, cols), spec, path);
    }

    /**
     * The series in {@code df}: rows of file, 0-based row, the spec's time columns, then its feature columns (the
     * layout of {@link ParquetInput#frame}, e.g. a Spark Dataset's rows); {@code path} names it in messages. Read,
     * split, normalised and windowed as {@link #readParquet}.
     */
    public static Series readFrame(JavaSparkContext sc, Dataset<org.apache.spark.sql.Row> df, Spec spec,
            String path) {
        List<String> cols = new ArrayList<>(spec.timeColumns());
        cols.addAll(spec.featureColumns());
        int nt = spec.timeColumns().size();
        int nf = spec.featureColumns().size();
        for (int i = 0; i < nf; i++) {
            DataType t = ParquetInput.type(df, nt + i);
            if (!(t instanceof NumericType || t.equals(DataTypes.StringType))) {
                throw new CorpusException("Parquet " + path + ": column '" + spec.featureColumns().get(i)
                        + "' must be numeric (or a string holding a number), found " + t.simpleString());
            }
        }
        BadRecords bad = BadRecords.noneTolerated(sc, path, NO_GAPS);
        JavaRDD<Row> rows = df.javaRDD().flatMap(r -> {
            for (int i = 0; i < nt + nf; i++) {
                if (r.isNullAt(2 + i)) {
                    bad.skip(ParquetInput.file(r), ParquetInput.row(r), BadReason.NULL_VALUE, "column " + cols.get(i));
                    return ParquetInput.none();
                }
            }
            String[] key = new String[nt];
            for (int i = 0; i < nt; i++) {
                key[i] = String.valueOf(r.get(2 + i)).trim();
            }
            double[] v = new double[nf];
            for (int i = 0; i < nf; i++) {
                Object o = r.get(2 + nt + i);
                try {
                    v[i] = o instanceof Number n ? n.doubleValue() : Double.parseDouble(((String) o).trim());
                } catch (NumberFormatException e) {
                    v[i] = Double.NaN;
                }
                if (!Double.isFinite(v[i])) {
                    bad.skip(ParquetInput.file(r), ParquetInput.row(r), BadReason.UNPARSABLE_NUMBER, "column "
                            + spec.featureColumns().get(i) + " = '" + o + "'");
                    return ParquetInput.none();
                }
            }
            return List.of(new Row(new TimeKey(key), v, r.getLong(1))).iterator();
        });
        return fromRows(rows, bad, spec, path);
    }

    /** Orders, splits, normalises and windows parsed rows (of CSV or Parquet); {@code path} names the series. */
    private static Series fromRows(JavaRDD<Row> rows, BadRecords bad, Spec spec, String path) {
        Corpus<Row> parsed = Corpus.load(rows, bad);
        long n = parsed.count();
        refuseDuplicateTimes(parsed.records(), n, spec, path);
        long nVal = spec.validationRows() > 0 ? spec.validationRows()
                : (long) Math.floor(n * spec.validationFraction());
        long nTest = spec.testRows() > 0 ? spec.testRows()
                : n - (long) Math.floor(n * spec.trainFraction()) - (long) Math.floor(n * spec.validationFraction());
        long nTrain = n - nVal - nTest;
        int span = spec.window() + spec.horizon();
        if (nTrain < span) {
            throw new CorpusException("series " + path + " has " + n + " rows; the training part (" + nTrain
                    + " rows, after " + nVal + " validation and " + nTest + " test rows) is shorter than window + "
                    + "horizon = " + span);
        }
        // time order; indices 0..n-1 in that order
        var ordered = parsed.records().sortBy(Row::key, true, parsed.records().getNumPartitions()).zipWithIndex();
        int f = spec.featureColumns().size();
        Normalizer norm = spec.normalizer() != null ? spec.normalizer() : fit(ordered, nTrain, spec);
        Calendar cal = new Calendar(spec.calendar());
        int c = cal.width();
        // per row: F standardised features, then C calendar covariates
        var normed = ordered.map(p -> {
            float[] z = new float[f + c];
            for (int i = 0; i < f; i++) {
                z[i] = norm.apply(i, p._1().values()[i]);
            }
            if (c > 0) {
                System.arraycopy(cal.of(Calendar.date(p._1().key().parts())), 0, z, f, c);
            }
            return new scala.Tuple2<>(p._2(), z);
        });
        int[] tgtInFeat = spec.targetColumns().stream().mapToInt(col -> spec.featureColumns().indexOf(col)).toArray();
        JavaRDD<ForecastWindow> all = windows(normed, spec, tgtInFeat, f, c);
        int w = spec.window();
        int h = spec.horizon();
        // a window predicts rows start + W .. start + W + H - 1; it belongs to the part holding all of them
        JavaRDD<ForecastWindow> train = all.filter(x -> x.start() + w + h - 1 < nTrain);
        JavaRDD<ForecastWindow> val = all.filter(x -> x.start() + w >= nTrain && x.start() + w + h - 1 < nTrain + nVal);
        JavaRDD<ForecastWindow> test = all.filter(x -> x.start() + w >= nTrain + nVal);
        return new Series(train, val, test, n, nTrain, nVal, norm, parsed.bad(),
                ordered.mapToPair(p -> new scala.Tuple2<>(p._2(), p._1().at())),
                ordered.mapToPair(p -> new scala.Tuple2<>(p._2(), p._1().key().parts())),
                normed.mapToPair(p -> p));
    }

    /**
     * Sliding windows of W + H consecutive rows (MLlib's {@code sliding} keeps order across partitions). Input
     * step t holds the F features of row t and the C calendar covariates of row t + H.
     */
    @SuppressWarnings("unchecked")
    private static JavaRDD<ForecastWindow> windows(JavaRDD<scala.Tuple2<Long, float[]>> part, Spec spec,
            int[] tgt, int f, int c) {
        int w = spec.window();
        int h = spec.horizon();
        int width = f + c;
        var tag = ClassTag$.MODULE$.<scala.Tuple2<Long, float[]>>apply(scala.Tuple2.class);
        JavaRDD<Object> slid = RDDFunctions.fromRDD(part.rdd(), tag).sliding(w + h).toJavaRDD();
        return slid.map(o -> {
            Object[] rows = (Object[]) o;
            float[] in = new float[w * width];
            float[] out = new float[h * tgt.length];
            for (int t = 0; t < w; t++) {
                System.arraycopy(((scala.Tuple2<Long, float[]>) rows[t])._2(), 0, in, t * width, f);
                System.arraycopy(((scala.Tuple2<Long, float[]>) rows[t + h])._2(), f, in, t * width + f, c);
            }
            for (int t = 0; t < h; t++) {
                float[] z = ((scala.Tuple2<Long, float[]>) rows[w + t])._2();
                for (int k = 0; k < tgt.length; k++) {
                    out[t * tgt.length + k] = z[tgt[k]];
                }
            }
            return new ForecastWindow(((scala.Tuple2<Long, float[]>) rows[0])._1(), in, out);
        });
    }

    /** The header of the first file matched (read on the driver: one line). */
    static String[] header(JavaSparkContext sc, String path) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(sc.hadoopConfiguration());
            List<Path> files = new ArrayList<>();
            for (FileStatus st : fs.globStatus(p)) {
                if (st.isDirectory()) {
                    for (FileStatus c : fs.listStatus(st.getPath())) {
                        if (c.isFile()) {
                            files.add(c.getPath());
                        }
                    }
                } else {
                    files.add(st.getPath());
                }
            }
            Collections.sort(files);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(files.get(0)),
                    StandardCharsets.UTF_8))) {
                String line = r.readLine();
                if (line == null || line.isBlank()) {
                    throw new CorpusException("CSV " + files.get(0) + " is empty: expected a header line");
                }
                return Arrays.stream(line.split(",", -1)).map(String::trim).toArray(String[]::new);
            }
        } catch (IOException e) {
            throw new CorpusException("cannot read the header of " + path + ": " + e.getMessage(), e);
        }
    }

    private static int[] indices(String[] header, List<String> names, String path) {
        int[] idx = new int[names.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = Arrays.asList(header).indexOf(names.get(i));
            if (idx[i] < 0) {
                throw new CorpusException("CSV " + path + " has no column '" + names.get(i) + "'; its header is "
                        + Arrays.toString(header));
            }
        }
        return idx;
    }

    /**
     * A time that two rows share is an error naming it (exit 3): the rows would stand side by side in the series as
     * two steps. One shuffle over the keys; the series holds {@code n} rows.
     */
    private static void refuseDuplicateTimes(JavaRDD<Row> rows, long n, Spec spec, String path) {
        JavaRDD<String> keys = rows.map(r -> r.key().canonical());
        if (keys.distinct().count() == n) {
            return;
        }
        var dup = keys.mapToPair(k -> new scala.Tuple2<>(k, 1L)).reduceByKey(Long::sum).filter(t -> t._2() > 1)
                .sortByKey().first();
        throw new CorpusException("series " + path + ": " + dup._2() + " rows have the time "
                + String.join(" ", spec.timeColumns()) + " = " + dup._1() + "; each time may appear once");
    }

    /** Orders rows: component-wise, numerically when both parts are integers, else as text. */
    private record TimeKey(String[] parts) implements Comparable<TimeKey>, Serializable {
        @Override
        public int compareTo(TimeKey o) {
            for (int i = 0; i < parts.length; i++) {
                int c;
                try {
                    c = Long.compare(Long.parseLong(parts[i]), Long.parseLong(o.parts[i]));
                } catch (NumberFormatException e) {
                    c = parts[i].compareTo(o.parts[i]);
                }
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        }

        /** The key as text, integer parts without leading zeros, so that keys equal under compareTo are equal. */
        String canonical() {
            String[] c = new String[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    c[i] = Long.toString(Long.parseLong(parts[i]));
                } catch (NumberFormatException e) {
                    c[i] = parts[i];
                }
            }
            return String.join(" ", c);
        }
    }

    /** Mean and standard deviation of each feature over the first {@code nTrain} rows (time order). */
    private static Normalizer fit(JavaPairRDD<Row, Long> ordered, long nTrain, Spec spec) {
        int f = spec.featureColumns().size();
        double[] sums = ordered.filter(p -> p._2() < nTrain).map(p -> {
            double[] s = new double[2 * f];
            for (int i = 0; i < f; i++) {
                s[i] = p._1().values()[i];
                s[f + i] = p._1().values()[i] * p._1().values()[i];
            }
            return s;
        }).reduce((a, b) -> {
            double[] s = new double[a.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = a[i] + b[i];
            }
            return s;
        });
        double[] mean = new double[f];
        double[] std = new double[f];
        for (int i = 0; i < f; i++) {
            mean[i] = sums[i] / nTrain;
            double var = Math.max(0, sums[f + i] / nTrain - mean[i] * mean[i]);
            std[i] = var > 0 ? Math.sqrt(var) : 1.0;
        }
        return new Normalizer(spec.featureColumns().toArray(new String[0]), mean, std);
    }
}
