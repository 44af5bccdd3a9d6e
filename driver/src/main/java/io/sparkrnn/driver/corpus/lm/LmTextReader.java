package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Inputs;
import io.sparkrnn.driver.corpus.ParquetInput;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.bad.BadReport;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.VocabularyGrowth;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.corpus.text.bpe.BpeLearner;
import io.sparkrnn.driver.round.SequencePartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;

/**
 * The language-model corpus reader: plain UTF-8 text at a path (local, {@code hdfs://}, a glob, a folder of
 * files) to contiguous, token-balanced training streams, one {@link TokenStreamPartition} per partition.
 *
 * <p>Corpus order: files sorted by full path, then byte position; the token stream is their concatenation
 * (nothing is inserted between files). Tokens: see {@link LineTokenizer} (characters keep {@code \r} and
 * {@code \n}, so the stream of one file equals {@link CharCorpus}'s; words add {@link LmOptions#lineEnd} per
 * line terminator).
 *
 * <p>Passes, all on the executors:
 * <ol>
 *   <li>files are cut into byte-range {@link TextSplit}s (a big file is read by many tasks); each task counts
 *       its tokens and lines; the vocabulary keeps the most frequent (minimum count, maximum size, specials
 *       first: {@link Vocabulary#fitCounts}); for characters the kept code points are then ordered by value,
 *       the order of {@link CharCorpus} and {@code vocab-chars.txt}; for byte-pair-encoding pieces the merges are
 *       learned on the driver from the word counts (as the vocabulary, on the whole text: the held-out part is
 *       known only once the text is encoded), unless a warm start gives the parent's, and the vocabulary is fitted
 *       on the pieces' counts (each word's count for each of its pieces);</li>
 *   <li>each split is encoded into compact {@link IdBlock}s, persisted serialized; one counting action brings
 *       back three numbers per split (tokens, good lines, dropped tokens) and the bad-line check runs
 *       ({@link BadRecords}: invalid UTF-8 lines are skipped and named {@code file:line});</li>
 *   <li>validation split: of N tokens, the first {@code T = round(N * (1 - validationFraction))} train and the
 *       rest validate, so a single file keeps its last 10% (as the {@code train} job always did) and many files
 *       hold out the end of the last files;</li>
 *   <li>the training tokens are cut into {@code partitions} ranges {@code [T p / P, T (p+1) / P)} (balanced to
 *       one token), the validation tokens likewise into up to {@code partitions} ranges
 *       ({@link StreamCut}); each training range becomes a {@link TokenStreamPartition} on its executor.</li>
 * </ol>
 * The driver receives the vocabulary and counts only.
 */
public final class LmTextReader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LmTextReader.class);

    private LmTextReader() {
    }

    /**
     * Reads, encodes and partitions the corpus at {@code path}. Throws {@link CorpusException} before any
     * training for a missing path, no matching files, an empty corpus, too many bad lines, or too few tokens for
     * the partitions and batch shape.
     */
    public static LmCorpus read(JavaSparkContext sc, String path, LmOptions o) {
        List<FileStatus> files = Inputs.files(sc, path);
        long bytes = files.stream().mapToLong(FileStatus::getLen).sum();
        if (bytes == 0) {
            throw new CorpusException("corpus " + path + " is empty (" + files.size() + " file(s) of 0 bytes)");
        }
        long splitBytes = o.splitBytes() > 0 ? o.splitBytes()
                : Math.min(64L << 20, Math.max(64L << 10, bytes / (4L * sc.defaultParallelism()) + 1));
        List<TextSplit> splits = TextSplit.plan(files, splitBytes);
        Broadcast<SerializableConfiguration> conf = sc.broadcast(new SerializableConfiguration(
                sc.hadoopConfiguration()));
        JavaRDD<TextSplit> splitRdd = sc.parallelize(splits, splits.size());

        SplitLineCounts lineAcc = new SplitLineCounts();
        sc.sc().register(lineAcc, "lines per split " + path);
        JavaPairRDD<String, Long> counts = splitRdd.flatMapToPair(
                s -> LmSplitTasks.count(s, conf.value().value(), o, lineAcc));
        long t0 = System.nanoTime();
        Fitted fitted = fit(counts, o);
        Vocabulary vocab = fitted.vocabulary();
        LOG.info("corpus {}: vocabulary of {} counted over {} splits in {} s", path, vocab.size(), splits.size(),
                String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        long[] lineBase = lineBases(splits, lineAcc.value());

        Broadcast<Vocabulary> vb = sc.broadcast(vocab);
        BadRecords bad = new BadRecords(sc, path, o.maxBadFraction());
        LmOptions cut = fitted.options();
        JavaRDD<IdBlock> blocks = splitRdd.mapPartitions(it -> {
            TextSplit s = it.next();
            return LmSplitTasks.encode(s.index(), LmSplitTasks.lines(s, conf.value().value(), lineBase[s.index()]),
                    cut, vb.value(), bad);
        }).persist(StorageLevel.MEMORY_AND_DISK_SER());
        return partition(sc, path, o, vocab, splits.size(), blocks, bad).withGrowth(fitted.growth())
                .withBpe(cut.bpe());
    }

    /** The vocabulary, a warm start's outcome, and the options to encode with (for pieces: with their merges). */
    private record Fitted(Vocabulary vocabulary, VocabularyGrowth.Outcome growth, LmOptions options) {
    }

    /**
     * For byte-pair-encoding pieces: the options with their merges (the parent's, or learned on the counted words,
     * the line end left out) and the pieces' counts (each word's count for each of its pieces; the line end as it
     * is); otherwise {@code o} and the counts as they are.
     */
    private static Tuple2<LmOptions, JavaPairRDD<String, Long>> pieces(JavaPairRDD<String, Long> counts,
            LmOptions o) {
        if (o.tokens() != TokenUnit.BPE) {
            return new Tuple2<>(o, counts);
        }
        String lineEnd = o.lineEnd();
        Bpe bpe = o.bpe() != null ? o.bpe() : BpeLearner.learnCounts(counts.filter(c -> !c._1().equals(lineEnd)),
                o.bpeMerges());
        return new Tuple2<>(o.withBpe(bpe), counts.flatMapToPair(c -> {
            if (c._1().equals(lineEnd)) {
                return List.of(c).iterator();
            }
            List<Tuple2<String, Long>> out = new ArrayList<>();
            for (String p : bpe.encode(c._1())) {
                out.add(new Tuple2<>(p, c._2()));
            }
            return out.iterator();
        }));
    }

    /**
     * The vocabulary of the token counts (characters ordered by code point), or a warm start's
     * ({@link LmOptions#growth}): the parent's, grown by the fitted one or not. The counts are computed once (the
     * line counts of the first pass are an accumulator).
     */
    private static Fitted fit(JavaPairRDD<String, Long> tokenCounts, LmOptions options) {
        JavaPairRDD<String, Long> words = options.tokens() == TokenUnit.BPE
                ? tokenCounts.reduceByKey(Long::sum).persist(StorageLevel.MEMORY_AND_DISK_SER()) : tokenCounts;
        Tuple2<LmOptions, JavaPairRDD<String, Long>> cut = pieces(words, options);
        LmOptions o = cut._1();
        JavaPairRDD<String, Long> counts = cut._2();
        if (o.growth() != null) {
            counts = counts.reduceByKey(Long::sum).persist(StorageLevel.MEMORY_AND_DISK_SER());
        }
        try {
            Vocabulary vocab = Vocabulary.fitCounts(counts, o.minCount(), o.maxSize(), o.specials());
            if (o.tokens() == TokenUnit.CHARS) {
                vocab = byCodePoint(vocab);
            }
            if (o.growth() == null) {
                return new Fitted(vocab, null, o);
            }
            VocabularyGrowth.Outcome g = o.growth().apply(vocab, counts);
            return new Fitted(g.vocabulary(), g, o);
        } finally {
            if (words != tokenCounts) {
                words.unpersist(false);
            }
            if (o.growth() != null) {
                counts.unpersist(false);
            }
        }
    }

    /**
     * The language-model corpus in the {@code column} (strings) of the Parquet files at {@code path}. Corpus
     * order: files by path, then row; each row is one line (ended by {@code \n} for characters, by
     * {@link LmOptions#lineEnd} for words). A null is a bad record named {@code file:row} (1-based row in the
     * file). Otherwise as {@link #read}; {@link LmOptions#splitBytes} does not apply (Spark plans the reads).
     */
    public static LmCorpus readParquet(JavaSparkContext sc, String path, String column, LmOptions o) {
        return readRows(sc, ParquetInput.ordered(sc, path, column), path, o);
    }

    /**
     * The language-model corpus in {@code rows} (file, 0-based row, text: the layout of
     * {@link ParquetInput#ordered}, e.g. a Spark Dataset's rows), in their order, each row one line; {@code source}
     * names them in messages. Otherwise as {@link #readParquet}.
     */
    public static LmCorpus readRows(JavaSparkContext sc, JavaRDD<org.apache.spark.sql.Row> rows, String source,
            LmOptions o) {
        rows.persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            JavaPairRDD<String, Long> counts = rows.mapPartitionsToPair(
                    it -> LmSplitTasks.count(LmSplitTasks.rows(it), o));
            Fitted fitted = fit(counts, o);
            Vocabulary v = fitted.vocabulary();
            Broadcast<Vocabulary> vb = sc.broadcast(v);
            BadRecords bad = new BadRecords(sc, source, o.maxBadFraction());
            LmOptions cut = fitted.options();
            JavaRDD<IdBlock> blocks = rows.mapPartitionsWithIndex((i, it) -> LmSplitTasks.encode(i,
                    LmSplitTasks.rows(it), cut, vb.value(), bad), true)
                    .persist(StorageLevel.MEMORY_AND_DISK_SER());
            return partition(sc, source, o, v, rows.getNumPartitions(), blocks, bad).withGrowth(fitted.growth())
                    .withBpe(cut.bpe());
        } finally {
            rows.unpersist(false);
        }
    }

    private static Vocabulary byCodePoint(Vocabulary vocab) {
        List<String> tokens = new ArrayList<>(vocab.tokens());
        tokens.sort(Comparator.comparingInt(t -> t.codePointAt(0)));
        return Vocabulary.of(tokens);
    }

    /** Counts the blocks (three numbers per task come back), checks bad lines, cuts the partitions. */
    private static LmCorpus partition(JavaSparkContext sc, String path, LmOptions o, Vocabulary vocab, int splits,
            JavaRDD<IdBlock> blocks, BadRecords bad) {
        try {
            long t0 = System.nanoTime();
            List<long[]> perSplit = blocks.mapPartitions(it -> {
                long[] sum = new long[3];
                while (it.hasNext()) {
                    IdBlock b = it.next();
                    sum[0] += b.length();
                    sum[1] += b.goodLines();
                    sum[2] += b.dropped();
                }
                return List.of(sum).iterator();
            }).collect();
            LOG.info("corpus {}: encoded in {} s", path, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
            return partition(sc, path, o, vocab, perSplit, blocks, bad);
        } finally {
            blocks.unpersist(false);
        }
    }

    private static LmCorpus partition(JavaSparkContext sc, String path, LmOptions o, Vocabulary vocab,
            List<long[]> perSplit, JavaRDD<IdBlock> blocks, BadRecords bad) {
        int splits = perSplit.size();
        long goodLines = 0;
        long dropped = 0;
        long[] splitStart = new long[splits + 1];
        for (int i = 0; i < splits; i++) {
            splitStart[i + 1] = splitStart[i] + perSplit.get(i)[0];
            goodLines += perSplit.get(i)[1];
            dropped += perSplit.get(i)[2];
        }
        BadReport report = bad.check(goodLines);
        long n = splitStart[splits];
        if (n == 0) {
            throw new CorpusException("corpus " + path + " has no tokens" + (dropped > 0 ? " (" + dropped
                    + " left out of the vocabulary)" : ""));
        }
        long t = Math.round(n * (1 - o.validationFraction()));
        int p = o.partitions();
        long need = (long) o.lanes() * o.steps() + 1;
        if (t / p < need) {
            throw new CorpusException(String.format("corpus %s: the training part has %,d tokens, too few for %d"
                    + " partitions of %d lanes x %d steps (needs at least %,d); use fewer partitions or a smaller"
                    + " batch", path, t, p, o.lanes(), o.steps(), p * need));
        }
        long[] bounds = new long[p + 1];
        for (int i = 0; i <= p; i++) {
            bounds[i] = t * i / p;
        }
        int lanes = o.lanes();
        int steps = o.steps();
        JavaRDD<SequencePartition> train = StreamCut.ranges(blocks, splitStart, bounds)
                .map(ids -> (SequencePartition) new TokenStreamPartition(ids, lanes, steps));
        train.setName("lm training partitions " + path).persist(o.storage());
        long t0 = System.nanoTime();
        List<Integer> lengths = train.map(d -> ((TokenStreamPartition) d).length()).collect();
        LOG.info("corpus {}: {} training partitions built in {} s", path, p, String.format("%.1f",
                (System.nanoTime() - t0) / 1e9));

        long valid = n - t;
        int v = (int) Math.min(p, valid);
        JavaRDD<int[]> validation;
        if (v == 0) {
            validation = sc.emptyRDD();
        } else {
            long[] vb = new long[v + 1];
            for (int i = 0; i <= v; i++) {
                vb[i] = t + valid * i / v;
            }
            validation = StreamCut.ranges(blocks, splitStart, vb);
            validation.setName("lm validation streams " + path).persist(StorageLevel.MEMORY_AND_DISK_SER());
            validation.count();
        }
        long[] partTokens = lengths.stream().mapToLong(Integer::longValue).toArray();
        LmCorpus c = new LmCorpus(train, validation, vocab, o.tokens(), n, t, dropped, goodLines, partTokens,
                splits, report);
        LOG.info("corpus {}: {} tokens ({} training, {} validation) from {} lines in {} splits, vocabulary {},"
                + " partition imbalance {}", path, n, t, valid, goodLines, splits, vocab.size(),
                c.imbalance());
        return c;
    }

    /** Lines of the same file before each split, from the per-split line counts. */
    private static long[] lineBases(List<TextSplit> splits, Map<Integer, Long> lines) {
        long[] base = new long[splits.size()];
        for (int i = 0; i < splits.size(); i++) {
            if (i > 0 && splits.get(i).fileIndex() == splits.get(i - 1).fileIndex()) {
                Long prev = lines.get(i - 1);
                if (prev == null) {
                    throw new IllegalStateException("no line count for split " + (i - 1));
                }
                base[i] = base[i - 1] + prev;
            }
        }
        return base;
    }
}
