package io.sparkrnn.driver.corpus;

import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.bad.BadReport;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * Parsed records of one corpus, persisted in serialized form, with their count and bad-record report. Building
 * one runs a single counting action (only the count reaches the driver), then applies the bad-fraction check.
 */
public final class Corpus<T> {
    private final JavaRDD<T> records;
    private final long count;
    private final BadReport bad;
    private final long fallbackDecoded;

    private Corpus(JavaRDD<T> records, long count, BadReport bad, long fallbackDecoded) {
        this.records = records;
        this.count = count;
        this.bad = bad;
        this.fallbackDecoded = fallbackDecoded;
    }

    /** Persists {@code records}, counts them once, and checks the bad fraction (throws {@link CorpusException}). */
    public static <T> Corpus<T> load(JavaRDD<T> records, BadRecords accountant) {
        JavaRDD<T> kept = records.persist(StorageLevel.MEMORY_AND_DISK_SER());
        long n = kept.count();
        BadReport report;
        try {
            report = accountant.check(n);
        } catch (CorpusException e) {
            kept.unpersist(false);
            throw e;
        }
        return new Corpus<>(kept, n, report, accountant.fallbackCount());
    }

    /** The same corpus with each record mapped by {@code f} (one for one: count and report stay). */
    public <U> Corpus<U> map(org.apache.spark.api.java.function.Function<T, U> f) {
        return new Corpus<>(records.map(f), count, bad, fallbackDecoded);
    }

    /** One console line on what was skipped, or the empty string when nothing was. */
    public String skipped() {
        return bad.total() == 0 ? "" : "  skipped " + bad.describe() + System.lineSeparator();
    }

    /** The records (persisted; never collected by the readers). */
    public JavaRDD<T> records() {
        return records;
    }

    /** Records kept. */
    public long count() {
        return count;
    }

    /** Records skipped, by reason, with the first few. */
    public BadReport bad() {
        return bad;
    }

    /** Files or records decoded with the fallback charset (classification documents). */
    public long fallbackDecoded() {
        return fallbackDecoded;
    }
}
