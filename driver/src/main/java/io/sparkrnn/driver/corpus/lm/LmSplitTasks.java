package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.driver.corpus.ParquetInput;
import io.sparkrnn.driver.corpus.bad.BadReason;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * What the executors do with one {@link TextSplit} for {@link LmTextReader}: count its tokens for the
 * vocabulary, and encode it into {@link IdBlock}s. Both stream the split; neither holds more than a block.
 */
final class LmSplitTasks {
    /**
     * Tokens per block. Small on purpose: Java serialization keeps every object of a stream until its reset
     * ({@code spark.serializer.objectStreamReset}, 100 objects), so a task caching blocks holds about 100 of them.
     */
    static final int BLOCK_TOKENS = 1 << 16;

    private LmSplitTasks() {
    }

    /** The lines of one task's input, pulled one at a time. */
    interface Source extends AutoCloseable {
        /** Advances; false at the end. */
        boolean next();

        /** Loads the current line into {@code tok}; false (after reporting it, if {@code bad}) when it is bad. */
        boolean load(LineTokenizer tok, BadRecords bad);

        /** Whether the current line ends with a line terminator. */
        boolean terminated();

        @Override
        void close();
    }

    /** The lines of a text split; bad lines are {@code file:line} with {@code lineBase} earlier lines. */
    static Source lines(TextSplit split, Configuration conf, long lineBase) {
        TextSplit.Reader r = split.open(conf);
        return new Source() {
            @Override
            public boolean next() {
                return r.next();
            }

            @Override
            public boolean load(LineTokenizer tok, BadRecords bad) {
                if (tok.decode(r.bytes(), r.length())) {
                    return true;
                }
                if (bad != null) {
                    bad.skip(split.file(), lineBase + r.number(), BadReason.INVALID_UTF8, null);
                }
                return false;
            }

            @Override
            public boolean terminated() {
                return r.terminated();
            }

            @Override
            public void close() {
                r.close();
            }
        };
    }

    /**
     * The rows (file, row, text) of {@link ParquetInput#ordered} as lines, each ended by a line terminator; a null
     * text is a bad record named {@code file:row}.
     */
    static Source rows(Iterator<Row> rows) {
        return new Source() {
            private Row current;

            @Override
            public boolean next() {
                current = rows.hasNext() ? rows.next() : null;
                return current != null;
            }

            @Override
            public boolean load(LineTokenizer tok, BadRecords bad) {
                if (current.isNullAt(2)) {
                    if (bad != null) {
                        bad.skip(ParquetInput.file(current), ParquetInput.row(current), BadReason.NULL_VALUE, null);
                    }
                    return false;
                }
                tok.text(current.getString(2) + "\n");
                return true;
            }

            @Override
            public boolean terminated() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * (token, count) pairs of one split, counted in the task; invalid lines are skipped here (the encoding pass
     * reports them). Records the split's line count in {@code lines}.
     */
    static Iterator<Tuple2<String, Long>> count(TextSplit split, Configuration conf, LmOptions o,
            SplitLineCounts lines) {
        long[] n = new long[1];
        Source src = lines(split, conf, 0);
        Source counted = new Source() {
            @Override
            public boolean next() {
                boolean more = src.next();
                n[0] += more ? 1 : 0;
                return more;
            }

            @Override
            public boolean load(LineTokenizer tok, BadRecords bad) {
                return src.load(tok, bad);
            }

            @Override
            public boolean terminated() {
                return src.terminated();
            }

            @Override
            public void close() {
                src.close();
                lines.add(new long[] {split.index(), n[0]});
            }
        };
        return count(counted, o);
    }

    /** (token, count) pairs of one task's lines; bad lines are skipped unreported (the encoding pass reports). */
    static Iterator<Tuple2<String, Long>> count(Source src, LmOptions o) {
        long[] bmp = new long[1 << 16];
        Map<Integer, Long> astral = new HashMap<>();
        Map<String, long[]> words = new HashMap<>();
        LineTokenizer tok = new LineTokenizer();
        LineTokenizer.Sink sink = new LineTokenizer.Sink() {
            @Override
            public void codePoint(int cp) {
                if (cp < bmp.length) {
                    bmp[cp]++;
                } else {
                    astral.merge(cp, 1L, Long::sum);
                }
            }

            @Override
            public void word(String w) {
                words.computeIfAbsent(w, k -> new long[1])[0]++;
            }
        };
        try (src) {
            while (src.next()) {
                if (src.load(tok, null)) {
                    tok.tokens(o.tokens(), o.lineEnd(), src.terminated(), sink);
                }
            }
        }
        List<Tuple2<String, Long>> out = new ArrayList<>();
        for (int cp = 0; cp < bmp.length; cp++) {
            if (bmp[cp] > 0) {
                out.add(new Tuple2<>(Character.toString(cp), bmp[cp]));
            }
        }
        astral.forEach((cp, n) -> out.add(new Tuple2<>(Character.toString(cp), n)));
        words.forEach((w, n) -> out.add(new Tuple2<>(w, n[0])));
        return out.iterator();
    }

    /**
     * The ids of task {@code split}'s lines as blocks of about {@link #BLOCK_TOKENS} (at least one block, so that
     * every task reports its line counts); bad lines are skipped and reported to {@code bad}.
     */
    static Iterator<IdBlock> encode(int split, Source src, LmOptions o, Vocabulary vocab, BadRecords bad) {
        return new EncodeIterator(split, src, o, vocab, bad);
    }

    private static final class EncodeIterator implements Iterator<IdBlock>, LineTokenizer.Sink {
        private final int split;
        private final Source reader;
        private final LmOptions o;
        private final Vocabulary vocab;
        private final BadRecords bad;
        private final LineTokenizer tok = new LineTokenizer();
        private final int[] bmpIds;
        private final int vocabSize;
        private int[] buf = new int[1 << 12];
        private int n;
        private long offset;
        private long goodLines;
        private long dropped;
        private boolean emitted;
        private boolean done;
        private IdBlock next;

        EncodeIterator(int split, Source src, LmOptions o, Vocabulary vocab, BadRecords bad) {
            this.split = split;
            this.o = o;
            this.vocab = vocab;
            this.bad = bad;
            this.vocabSize = vocab.size();
            this.bmpIds = new int[1 << 16];
            java.util.Arrays.fill(bmpIds, -1);
            if (o.tokens() == TokenUnit.CHARS) {
                for (int id = 0; id < vocab.size(); id++) {
                    int cp = vocab.token(id).codePointAt(0);
                    if (cp < bmpIds.length) {
                        bmpIds[cp] = id;
                    }
                }
            }
            this.reader = src;
        }

        @Override
        public void codePoint(int cp) {
            add(cp < bmpIds.length ? bmpIds[cp] : vocab.id(Character.toString(cp)));
        }

        @Override
        public void word(String w) {
            if (o.tokens() == TokenUnit.BPE && !w.equals(o.lineEnd())) {
                for (String p : o.bpe().encode(w)) {
                    add(vocab.id(p));
                }
            } else {
                add(vocab.id(w));
            }
        }

        private void add(int id) {
            if (id < 0) {
                dropped++;
                return;
            }
            if (n == buf.length) {
                buf = java.util.Arrays.copyOf(buf, 2 * n);
            }
            buf[n++] = id;
        }

        @Override
        public boolean hasNext() {
            while (next == null && !done) {
                if (reader.next()) {
                    if (reader.load(tok, bad)) {
                        goodLines++;
                        tok.tokens(o.tokens(), o.lineEnd(), reader.terminated(), this);
                    }
                    if (n >= BLOCK_TOKENS) {
                        next = flush();
                    }
                } else {
                    reader.close();
                    done = true;
                    if (n > 0 || !emitted) {
                        next = flush();
                    }
                }
            }
            return next != null;
        }

        private IdBlock flush() {
            IdBlock b = IdBlock.of(split, offset, buf, n, vocabSize, goodLines, dropped);
            offset += n;
            n = 0;
            goodLines = 0;
            dropped = 0;
            emitted = true;
            return b;
        }

        @Override
        public IdBlock next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            IdBlock b = next;
            next = null;
            return b;
        }
    }
}
