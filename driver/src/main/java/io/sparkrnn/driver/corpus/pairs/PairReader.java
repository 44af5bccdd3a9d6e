package io.sparkrnn.driver.corpus.pairs;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.Lines;
import io.sparkrnn.driver.corpus.ParquetInput;
import io.sparkrnn.driver.corpus.bad.BadReason;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Sequence-to-sequence pairs: {@code source<TAB>target} lines, two columns of TAB-separated lines (e.g. a verse's
 * reference, its text in one translation and in another), CMUdict's {@code WORD  PH1 PH2 ...}, and source and
 * target columns of Parquet files.
 */
public final class PairReader {
    private static final Pattern ALTERNATE = Pattern.compile("^(.+)\\((\\d+)\\)$");

    private PairReader() {
    }

    /**
     * {@code source<TAB>target} lines; blank lines are ignored. Not exactly two TAB-separated fields is a
     * {@link BadReason#WRONG_COLUMN_COUNT} (an empty source too), a blank target is {@link BadReason#EMPTY_TARGET}.
     */
    public static Corpus<TextPair> tsv(JavaSparkContext sc, String path, TokenUnit source, TokenUnit target,
            double maxBadFraction) {
        BadRecords bad = new BadRecords(sc, path, maxBadFraction);
        JavaRDD<TextPair> rdd = Lines.read(sc, path, bad).flatMap(l -> {
            if (l.text().isBlank()) {
                return Collections.emptyIterator();
            }
            String[] cols = l.text().split("\t", -1);
            if (cols.length != 2) {
                bad.skip(l.file(), l.number(), BadReason.WRONG_COLUMN_COUNT, "expected 2 TAB-separated columns, found "
                        + cols.length);
                return Collections.emptyIterator();
            }
            String[] src = source.split(cols[0]);
            String[] tgt = target.split(cols[1]);
            if (src.length == 0) {
                bad.skip(l.file(), l.number(), BadReason.WRONG_COLUMN_COUNT, "empty source column");
                return Collections.emptyIterator();
            }
            if (tgt.length == 0) {
                bad.skip(l.file(), l.number(), BadReason.EMPTY_TARGET, null);
                return Collections.emptyIterator();
            }
            return List.of(new TextPair(src, tgt)).iterator();
        });
        return Corpus.load(rdd, bad);
    }

    /**
     * TAB-separated lines with the source in column {@code sourceColumn} and the target in {@code targetColumn}
     * (0-based; other columns ignored); blank lines are ignored. A line with too few columns or an empty source is a
     * {@link BadReason#WRONG_COLUMN_COUNT}, a blank target an {@link BadReason#EMPTY_TARGET}.
     */
    public static Corpus<TextPair> tsvColumns(JavaSparkContext sc, String path, int sourceColumn, int targetColumn,
            TokenUnit source, TokenUnit target, double maxBadFraction) {
        int needed = Math.max(sourceColumn, targetColumn) + 1;
        BadRecords bad = new BadRecords(sc, path, maxBadFraction);
        JavaRDD<TextPair> rdd = Lines.read(sc, path, bad).flatMap(l -> {
            if (l.text().isBlank()) {
                return Collections.emptyIterator();
            }
            String[] cols = l.text().split("\t", -1);
            if (cols.length < needed) {
                bad.skip(l.file(), l.number(), BadReason.WRONG_COLUMN_COUNT, "expected at least " + needed
                        + " TAB-separated columns (source column " + sourceColumn + ", target column "
                        + targetColumn + ", from 0), found " + cols.length);
                return Collections.emptyIterator();
            }
            String[] src = source.split(cols[sourceColumn]);
            String[] tgt = target.split(cols[targetColumn]);
            if (src.length == 0) {
                bad.skip(l.file(), l.number(), BadReason.WRONG_COLUMN_COUNT, "empty source column " + sourceColumn);
                return Collections.emptyIterator();
            }
            if (tgt.length == 0) {
                bad.skip(l.file(), l.number(), BadReason.EMPTY_TARGET, "column " + targetColumn);
                return Collections.emptyIterator();
            }
            return List.of(new TextPair(src, tgt)).iterator();
        });
        return Corpus.load(rdd, bad);
    }

    /**
     * CMUdict: {@code WORD  PH1 PH2 ...} (two spaces after the word); the source is the word's characters, the
     * target its phones. {@code WORD(n)} lines are alternate pronunciations: kept (as {@code WORD}) when
     * {@code keepAlternates}, else skipped (not counted as bad). {@code ;;;} lines are comments. A line without
     * the two-space separator is a {@link BadReason#WRONG_COLUMN_COUNT}, one without phones {@link BadReason#EMPTY_TARGET}.
     */
    public static Corpus<TextPair> cmudict(JavaSparkContext sc, String path, boolean keepAlternates,
            double maxBadFraction) {
        BadRecords bad = new BadRecords(sc, path, maxBadFraction);
        JavaRDD<TextPair> rdd = Lines.read(sc, path, bad).flatMap(l -> {
            String s = l.text();
            if (s.isBlank() || s.startsWith(";;;")) {
                return Collections.emptyIterator();
            }
            int sep = s.indexOf("  ");
            if (sep <= 0) {
                bad.skip(l.file(), l.number(), BadReason.WRONG_COLUMN_COUNT, "expected 'WORD  PHONES'");
                return Collections.emptyIterator();
            }
            String word = s.substring(0, sep);
            var m = ALTERNATE.matcher(word);
            if (m.matches()) {
                if (!keepAlternates) {
                    return Collections.emptyIterator();
                }
                word = m.group(1);
            }
            String[] phones = TokenUnit.WORDS.split(s.substring(sep + 2));
            if (phones.length == 0) {
                bad.skip(l.file(), l.number(), BadReason.EMPTY_TARGET, null);
                return Collections.emptyIterator();
            }
            return List.of(new TextPair(TokenUnit.CHARS.split(word), phones)).iterator();
        });
        return Corpus.load(rdd, bad);
    }

    /**
     * Parquet {@code source} and {@code target} columns, each an array of strings or a string cut by the given token
     * units (see {@link ParquetInput}). A null is a {@link BadReason#NULL_VALUE}; an empty source a
     * {@link BadReason#WRONG_COLUMN_COUNT} and an empty target a {@link BadReason#EMPTY_TARGET}, as in {@link #tsv}.
     */
    public static Corpus<TextPair> parquet(JavaSparkContext sc, String path, String source, String target,
            TokenUnit sourceTokens, TokenUnit targetTokens, double maxBadFraction) {
        Dataset<Row> df = ParquetInput.frame(sc, path, List.of(source, target));
        ParquetInput.requireText(df, 0, true, path);
        ParquetInput.requireText(df, 1, true, path);
        BadRecords bad = new BadRecords(sc, path, maxBadFraction);
        JavaRDD<TextPair> rdd = df.javaRDD().flatMap(r -> {
            String[] s = ParquetInput.tokens(r, 0, sourceTokens);
            String[] t = ParquetInput.tokens(r, 1, targetTokens);
            if (s == null || t == null) {
                bad.skip(ParquetInput.file(r), ParquetInput.row(r), BadReason.NULL_VALUE, "column "
                        + (s == null ? source : target));
                return ParquetInput.none();
            }
            if (s.length == 0) {
                bad.skip(ParquetInput.file(r), ParquetInput.row(r), BadReason.WRONG_COLUMN_COUNT,
                        "empty source column");
                return ParquetInput.none();
            }
            if (t.length == 0) {
                bad.skip(ParquetInput.file(r), ParquetInput.row(r), BadReason.EMPTY_TARGET, null);
                return ParquetInput.none();
            }
            return List.of(new TextPair(s, t)).iterator();
        });
        return Corpus.load(rdd, bad);
    }
}
