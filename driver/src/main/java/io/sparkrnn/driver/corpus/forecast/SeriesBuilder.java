package io.sparkrnn.driver.corpus.forecast;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.forecast.ForecastReader.Series;
import io.sparkrnn.driver.corpus.forecast.ForecastReader.Spec;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.rdd.RDDFunctions;
import scala.reflect.ClassTag$;

/**
 * Builds a {@link ForecastReader.Series} from parsed rows, whatever they were read from: refuses a time two rows
 * share, orders the rows by time, splits them into train / validation / test, fits the {@link Normalizer} on the
 * training rows (unless the spec gives one), appends the calendar covariates and cuts the sliding windows, each
 * given to the part that holds the rows it predicts.
 */
final class SeriesBuilder {
    private SeriesBuilder() {
    }

    /** Orders, splits, normalises and windows parsed rows (of CSV or Parquet); {@code path} names the series. */
    static Series build(JavaRDD<SeriesRow> rows, BadRecords bad, Spec spec, String path) {
        Corpus<SeriesRow> parsed = Corpus.load(rows, bad);
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
        var ordered = parsed.records().sortBy(SeriesRow::key, true, parsed.records().getNumPartitions()).zipWithIndex();
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

    /**
     * A time that two rows share is an error naming it (exit 3): the rows would stand side by side in the series as
     * two steps. One shuffle over the keys; the series holds {@code n} rows.
     */
    private static void refuseDuplicateTimes(JavaRDD<SeriesRow> rows, long n, Spec spec, String path) {
        JavaRDD<String> keys = rows.map(r -> r.key().canonical());
        if (keys.distinct().count() == n) {
            return;
        }
        var dup = keys.mapToPair(k -> new scala.Tuple2<>(k, 1L)).reduceByKey(Long::sum).filter(t -> t._2() > 1)
                .sortByKey().first();
        throw new CorpusException("series " + path + ": " + dup._2() + " rows have the time "
                + String.join(" ", spec.timeColumns()) + " = " + dup._1() + "; each time may appear once");
    }

    /** Mean and standard deviation of each feature over the first {@code nTrain} rows (time order). */
    private static Normalizer fit(JavaPairRDD<SeriesRow, Long> ordered, long nTrain, Spec spec) {
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
