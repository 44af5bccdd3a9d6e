package io.sparkrnn.driver.corpus.bad;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.AccumulatorV2;
import org.apache.spark.util.LongAccumulator;

/**
 * The bad-record accountant of one read: executors {@link #skip} records (counted by reason, the first few kept
 * as {@code file:line: reason}), and the driver {@link #check}s the bad fraction once an action has run.
 *
 * <p>Spark applies accumulator updates made inside transformations once per computation of a partition, so the
 * readers persist their output and run exactly one counting action before {@link #check} (see {@link Corpus}).
 * Files decoded with the lenient fallback (not bad, but worth knowing) are counted in {@link #fallbackDecoded}.
 */
public final class BadRecords implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Default maximum share of bad records: 0.1%. */
    public static final double DEFAULT_MAX_BAD_FRACTION = 0.001;

    private final Accumulator acc;
    private final LongAccumulator fallback;
    private final double maxBadFraction;
    private final String source;
    /** Why no bad record is tolerated, for the message; null when the fraction is the user's. */
    private final String noneBecause;

    /** A new accountant for the corpus at {@code source} (named in the error message). */
    public BadRecords(JavaSparkContext sc, String source, double maxBadFraction) {
        this(sc, source, maxBadFraction, null);
    }

    private BadRecords(JavaSparkContext sc, String source, double maxBadFraction, String noneBecause) {
        if (!(maxBadFraction >= 0 && maxBadFraction <= 1)) {
            throw new IllegalArgumentException("maxBadFraction must be in [0, 1], found " + maxBadFraction);
        }
        this.acc = new Accumulator();
        sc.sc().register(acc, "bad records " + source);
        this.fallback = sc.sc().longAccumulator("fallback-decoded " + source);
        this.maxBadFraction = maxBadFraction;
        this.source = source;
        this.noneBecause = noneBecause;
    }

    /**
     * An accountant for a corpus that cannot skip a record (a time series: the windows across a skipped row would
     * join the rows either side): the first bad record stops the job, and the message says {@code because}.
     */
    public static BadRecords noneTolerated(JavaSparkContext sc, String source, String because) {
        return new BadRecords(sc, source, 0, because);
    }

    public BadRecords(JavaSparkContext sc, String source) {
        this(sc, source, DEFAULT_MAX_BAD_FRACTION);
    }

    /** Executor side: record that {@code file:line} was skipped. */
    public void skip(String file, long line, BadReason reason, String detail) {
        acc.add(new BadReport.Entry(file, line, reason, detail));
    }

    /** Executor side: one file or record was decoded with the fallback charset. */
    public void fallbackDecoded() {
        fallback.add(1);
    }

    /** Files or records decoded with the fallback charset so far. */
    public long fallbackCount() {
        return fallback.value();
    }

    /** The report so far (driver side). */
    public BadReport report() {
        return acc.value();
    }

    public double maxBadFraction() {
        return maxBadFraction;
    }

    /**
     * Fails when {@code bad / (good + bad)} exceeds the maximum fraction, or when nothing good was read.
     *
     * @param good records kept, counted by the action that ran the read
     */
    public BadReport check(long good) {
        BadReport r = report();
        long bad = r.total();
        long all = good + bad;
        if (good == 0) {
            throw new CorpusException("corpus " + source + " has no usable records"
                    + (bad > 0 ? "; " + r.describe() : " (it is empty)"));
        }
        double frac = (double) bad / all;
        if (bad > 0 && noneBecause != null) {
            throw new CorpusException(String.format("corpus %s: %d of %d records are bad, and %s; %s", source, bad,
                    all, noneBecause, r.describe()));
        }
        if (frac > maxBadFraction) {
            throw new CorpusException(String.format("corpus %s: %d of %d records are bad (%.4f%%), over the maximum"
                    + " of %.4f%%; %s", source, bad, all, 100 * frac, 100 * maxBadFraction, r.describe()));
        }
        return r;
    }

    /** Merges per-task reports; keeps counts and the smallest few (file, line) examples. */
    static final class Accumulator extends AccumulatorV2<BadReport.Entry, BadReport> {
        private static final long serialVersionUID = 1L;
        private BadReport report = new BadReport();

        @Override
        public boolean isZero() {
            return report.total() == 0;
        }

        @Override
        public AccumulatorV2<BadReport.Entry, BadReport> copy() {
            Accumulator a = new Accumulator();
            a.report = report.copy();
            return a;
        }

        @Override
        public void reset() {
            report = new BadReport();
        }

        @Override
        public void add(BadReport.Entry v) {
            report.add(v);
        }

        @Override
        public void merge(AccumulatorV2<BadReport.Entry, BadReport> other) {
            report.mergeFrom(((Accumulator) other).report);
        }

        @Override
        public BadReport value() {
            return report.copy();
        }
    }
}
