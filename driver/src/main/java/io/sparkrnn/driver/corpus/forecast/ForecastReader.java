package io.sparkrnn.driver.corpus.forecast;

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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;

/**
 * Forecasting series from CSV with a header or from named Parquet columns: rows are ordered by the time columns, split by time into
 * train / validation / test (contiguous, never shuffled across), standardised with mean and std fitted on the
 * training rows only, and cut into sliding windows of W steps predicting the next H values of the target
 * columns. A window belongs to the part that holds all the H rows it predicts; its inputs are the W rows before
 * them, which for the first windows of the validation and test parts reach back into the part before (observed
 * history, never a later row), so every row of a part after its first H - 1 is predicted once. Optional
 * calendar covariates ({@link Calendar}) of the row H steps ahead are appended to each input step, so the last H
 * steps of a window carry the calendars of the H predicted days. Only counts and the column statistics reach
 * the driver. This class parses the rows (CSV lines or Parquet columns); ordering, splitting, normalising and
 * windowing them, the same for both, is {@code SeriesBuilder}'s.
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
        JavaRDD<SeriesRow> rows = Lines.read(sc, path, bad).flatMap(l -> {
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
            return List.of(new SeriesRow(new TimeKey(key), v, l.number())).iterator();
        });
        return SeriesBuilder.build(rows, bad, spec, path);
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
        JavaRDD<SeriesRow> rows = df.javaRDD().flatMap(r -> {
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
            return List.of(new SeriesRow(new TimeKey(key), v, r.getLong(1))).iterator();
        });
        return SeriesBuilder.build(rows, bad, spec, path);
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
}
