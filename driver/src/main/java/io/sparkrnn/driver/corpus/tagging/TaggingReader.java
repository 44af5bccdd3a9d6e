package io.sparkrnn.driver.corpus.tagging;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.Line;
import io.sparkrnn.driver.corpus.Lines;
import io.sparkrnn.driver.corpus.ParquetInput;
import io.sparkrnn.driver.corpus.bad.BadReason;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Tagged sentences: Brown's one sentence a line of {@code word/TAG} tokens, CoNLL columns with a blank line
 * between sentences, or tokens and tags columns of Parquet files.
 */
public final class TaggingReader {
    private TaggingReader() {
    }

    /**
     * Brown format: every non-blank line (trimmed) is a sentence of whitespace-separated tokens, each split at its
     * LAST '/' (words such as {@code 1/2} contain one). A token without '/' or with an empty word or tag is a
     * {@link BadReason#TOKEN_TAG_MISMATCH}. With {@code stripSuffixes} tags are reduced by {@link #baseTag}.
     */
    public static Corpus<TaggedSentence> brown(JavaSparkContext sc, String path, boolean stripSuffixes,
            double maxBadFraction) {
        BadRecords bad = new BadRecords(sc, path, maxBadFraction);
        JavaRDD<TaggedSentence> rdd = Lines.read(sc, path, bad).flatMap(l -> {
            String s = l.text().trim();
            if (s.isEmpty()) {
                return java.util.Collections.emptyIterator();
            }
            String[] parts = s.split("\\s+");
            String[] words = new String[parts.length];
            String[] tags = new String[parts.length];
            for (int i = 0; i < parts.length; i++) {
                int slash = parts[i].lastIndexOf('/');
                if (slash <= 0 || slash == parts[i].length() - 1) {
                    bad.skip(l.file(), l.number(), BadReason.TOKEN_TAG_MISMATCH,
                            "token " + (i + 1) + " '" + parts[i] + "' is not word/TAG");
                    return java.util.Collections.emptyIterator();
                }
                words[i] = parts[i].substring(0, slash);
                String tag = parts[i].substring(slash + 1);
                tags[i] = stripSuffixes ? baseTag(tag) : tag;
            }
            return List.of(new TaggedSentence(words, tags)).iterator();
        });
        return Corpus.load(rdd, bad);
    }

    /**
     * Brown's base tag: strips {@code -tl} (title), {@code -hl} (headline), {@code -nc} (cited) repeatedly, drops a
     * leading {@code fw-} (foreign word), keeps the part before '+' (contractions), drops a trailing '*'
     * (negation); never returns an empty tag (the last non-empty form is kept).
     */
    public static String baseTag(String tag) {
        String t = tag;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String suf : new String[] {"-tl", "-hl", "-nc"}) {
                if (t.endsWith(suf) && t.length() > suf.length()) {
                    t = t.substring(0, t.length() - suf.length());
                    changed = true;
                }
            }
        }
        if (t.startsWith("fw-") && t.length() > 3) {
            t = t.substring(3);
        }
        int plus = t.indexOf('+');
        if (plus > 0) {
            t = t.substring(0, plus);
        }
        if (t.endsWith("*") && t.length() > 1) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    /**
     * CoNLL columns: one token a line, columns separated by whitespace (TAB or spaces), a blank line between
     * sentences; lines starting with {@code -DOCSTART-} are skipped. A line with too few columns is a
     * {@link BadReason#WRONG_COLUMN_COUNT} and the whole sentence is skipped (reported at that line). Lines of a
     * file arrive in order in one partition (see {@link Lines}), so sentences are grouped per partition.
     */
    public static Corpus<TaggedSentence> conll(JavaSparkContext sc, String path, int tokenColumn, int tagColumn,
            double maxBadFraction) {
        if (tokenColumn < 0 || tagColumn < 0) {
            throw new IllegalArgumentException("column indices must be >= 0, found token=" + tokenColumn + ", tag="
                    + tagColumn);
        }
        BadRecords bad = new BadRecords(sc, path, maxBadFraction);
        int need = Math.max(tokenColumn, tagColumn) + 1;
        JavaRDD<TaggedSentence> rdd = Lines.read(sc, path, bad)
                .mapPartitions(lines -> new ConllSentences(lines, tokenColumn, tagColumn, need, bad));
        return Corpus.load(rdd, bad);
    }

    /**
     * Parquet {@code tokens} and {@code tags} columns, each an array of strings or a string of whitespace-separated
     * tokens (see {@link ParquetInput}). A null (value or element) is a {@link BadReason#NULL_VALUE}, different
     * lengths a {@link BadReason#TOKEN_TAG_MISMATCH}; empty sentences are ignored (as blank lines are).
     */
    public static Corpus<TaggedSentence> parquet(JavaSparkContext sc, String path, String tokens, String tags,
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

    /** Groups consecutive lines into sentences; a sentence also ends at a blank line, a new file or the end. */
    private static final class ConllSentences implements Iterator<TaggedSentence> {
        private final Iterator<Line> lines;
        private final int tok;
        private final int tag;
        private final int need;
        private final BadRecords bad;
        private final List<String> words = new ArrayList<>();
        private final List<String> tags = new ArrayList<>();
        private boolean broken;
        private String file;
        private Line lookahead;
        private TaggedSentence next;

        ConllSentences(Iterator<Line> lines, int tok, int tag, int need, BadRecords bad) {
            this.lines = lines;
            this.tok = tok;
            this.tag = tag;
            this.need = need;
            this.bad = bad;
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                Line l = lookahead != null ? lookahead : lines.hasNext() ? lines.next() : null;
                lookahead = null;
                if (l == null) {
                    next = finish();
                    return next != null;
                }
                if (file != null && !file.equals(l.file()) && (!words.isEmpty() || broken)) {
                    lookahead = l;
                    next = finish();
                    continue;
                }
                file = l.file();
                String s = l.text().trim();
                if (s.isEmpty()) {
                    next = finish();
                } else if (!s.startsWith("-DOCSTART-")) {
                    String[] cols = s.split("\\s+");
                    if (cols.length < need) {
                        if (!broken) {
                            bad.skip(l.file(), l.number(), BadReason.WRONG_COLUMN_COUNT,
                                    "expected at least " + need + " columns, found " + cols.length);
                        }
                        broken = true;
                    } else {
                        words.add(cols[tok]);
                        tags.add(cols[tag]);
                    }
                }
            }
            return true;
        }

        /** The sentence collected so far (null if empty or broken), and a fresh start. */
        private TaggedSentence finish() {
            TaggedSentence s = broken || words.isEmpty() ? null
                    : new TaggedSentence(words.toArray(new String[0]), tags.toArray(new String[0]));
            words.clear();
            tags.clear();
            broken = false;
            return s;
        }

        @Override
        public TaggedSentence next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            TaggedSentence s = next;
            next = null;
            return s;
        }
    }
}
