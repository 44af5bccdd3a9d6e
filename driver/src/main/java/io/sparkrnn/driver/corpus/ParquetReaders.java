package io.sparkrnn.driver.corpus;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;

/**
 * Readers of Parquet files with named columns for the tagging, sequence-to-sequence, classification and
 * forecasting tasks (the language model: {@link LmTextReader#readParquet}). They give the same records as the
 * text readers, with the same {@link BadRecords} accounting; bad rows are {@code file:row} (1-based). Token
 * columns are arrays of strings, or strings cut by whitespace (or as given).
 */
public final class ParquetReaders {
    private ParquetReaders() {
    }

    /**
     * Tagged sentences from {@code tokens} and {@code tags} columns. A null (value or element) is a
     * {@link BadReason#NULL_VALUE}, different lengths a {@link BadReason#TOKEN_TAG_MISMATCH}; empty sentences are
     * ignored (as blank lines are).
     */
    public static Corpus<TaggedSentence> tagging(JavaSparkContext sc, String path, String tokens, String tags,
            double maxBadFraction) {
        Dataset<Row> df = ParquetInput.frame(sc, path, List.of(tokens, tags));
        ParquetInput.requireText(df, 0, true, path);
        ParquetInput.requireText(df, 1, true, path);
        BadRecords bad = new BadRecords(sc, path, maxBadFraction);
        JavaRDD<TaggedSentence> rdd = df.javaRDD().flatMap(r -> {
            String[] w = ParquetInput.tokens(r, 0, TokenUnit.WORDS);
            String[] t = ParquetInput.tokens(r, 1, TokenUnit.WORDS);
            if (w == null || t == null) {
                bad.skip(ParquetInput.file(r), ParquetInput.row(r), BadReason.NULL_VALUE, "column "
                        + (w == null ? tokens : tags));
                return ParquetInput.none();
            }
            if (w.length != t.length) {
                bad.skip(ParquetInput.file(r), ParquetInput.row(r), BadReason.TOKEN_TAG_MISMATCH, w.length
                        + " tokens, " + t.length + " tags");
                return ParquetInput.none();
            }
            return w.length == 0 ? ParquetInput.none() : List.of(new TaggedSentence(w, t)).iterator();
        });
        return Corpus.load(rdd, bad);
    }

    /**
     * Sequence-to-sequence pairs from {@code source} and {@code target} columns (strings are cut by the given
     * token units). A null is a {@link BadReason#NULL_VALUE}; an empty source a
     * {@link BadReason#WRONG_COLUMN_COUNT} and an empty target a {@link BadReason#EMPTY_TARGET}, as in
     * {@link PairReader#tsv}.
     */
    public static Corpus<TextPair> pairs(JavaSparkContext sc, String path, String source, String target,
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

    /**
     * Labelled texts from {@code label} (a string or a number, taken as its text) and {@code text} (a string)
     * columns. A null is a {@link BadReason#NULL_VALUE}, a blank label a {@link BadReason#EMPTY_TARGET}.
     */
    public static Corpus<LabelledText> classification(JavaSparkContext sc, String path, String label, String text,
            double maxBadFraction) {
        Dataset<Row> df = ParquetInput.frame(sc, path, List.of(label, text));
        DataType lt = ParquetInput.type(df, 0);
        if (!(lt.equals(DataTypes.StringType) || lt instanceof NumericType)) {
            throw new CorpusException("Parquet " + path + ": column '" + label + "' must be a string or a number,"
                    + " found " + lt.simpleString());
        }
        ParquetInput.requireText(df, 1, false, path);
        BadRecords bad = new BadRecords(sc, path, maxBadFraction);
        JavaRDD<LabelledText> rdd = df.javaRDD().flatMap(r -> {
            if (r.isNullAt(2) || r.isNullAt(3)) {
                bad.skip(ParquetInput.file(r), ParquetInput.row(r), BadReason.NULL_VALUE, "column "
                        + (r.isNullAt(2) ? label : text));
                return ParquetInput.none();
            }
            String l = String.valueOf(r.get(2)).trim();
            if (l.isEmpty()) {
                bad.skip(ParquetInput.file(r), ParquetInput.row(r), BadReason.EMPTY_TARGET, "empty label");
                return ParquetInput.none();
            }
            return List.of(new LabelledText(l, r.getString(3), ParquetInput.file(r))).iterator();
        });
        return Corpus.load(rdd, bad);
    }

    /**
     * A forecasting series from the spec's time columns (any type, ordered as {@link ForecastReader} orders CSV
     * text) and feature columns (numbers, or strings holding numbers). A null is a {@link BadReason#NULL_VALUE},
     * a value that is not a finite number a {@link BadReason#UNPARSABLE_NUMBER}. Then split, normalised and
     * windowed exactly as {@link ForecastReader#read}.
     */
    public static ForecastReader.Series forecast(JavaSparkContext sc, String path, ForecastReader.Spec spec) {
        List<String> cols = new java.util.ArrayList<>(spec.timeColumns());
        cols.addAll(spec.featureColumns());
        Dataset<Row> df = ParquetInput.frame(sc, path, cols);
        int nt = spec.timeColumns().size();
        int nf = spec.featureColumns().size();
        for (int i = 0; i < nf; i++) {
            DataType t = ParquetInput.type(df, nt + i);
            if (!(t instanceof NumericType || t.equals(DataTypes.StringType))) {
                throw new CorpusException("Parquet " + path + ": column '" + spec.featureColumns().get(i)
                        + "' must be numeric (or a string holding a number), found " + t.simpleString());
            }
        }
        BadRecords bad = new BadRecords(sc, path, spec.maxBadFraction());
        JavaRDD<ForecastReader.Row> rows = df.javaRDD().flatMap(r -> {
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
            return List.of(new ForecastReader.Row(new ForecastReader.TimeKey(key), v)).iterator();
        });
        return ForecastReader.fromRows(rows, bad, spec, path);
    }
}
