package io.sparkrnn.driver.corpus.pairs;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.corpus.batching.Encoded;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Encoded seq2seq pairs to training partitions for the round loop, as {@link Batching} does for sequences:
 * <ol>
 *   <li>the rows are counted, and too few batches for the partitions fail here, before any shuffle
 *       ({@link #checkBatches} does this check without a Spark job); with a token budget the count of batches
 *       is known only after cutting, which checks it again;</li>
 *   <li>a seeded global shuffle (sort by a hash of (seed, input position));</li>
 *   <li>chunks of {@code chunkBatches * B} consecutive shuffled pairs; with bucketing, pairs are sorted by
 *       (source length, target length) within a chunk (ties keep the shuffled order), then cut into batches of
 *       exactly B pairs, the last, short batch filled from the start of its chunk; or, with a token budget T
 *       ({@code batchTokens > 0}), cut in that order into batches of as many pairs as keep the batch's padded
 *       size (rows x (longest source + most decoder steps), what a step computes) within T: every pair once, a
 *       pair that alone exceeds T in a batch of its own;</li>
 *   <li>batches spread over n partitions balanced by real tokens (source steps + decoder steps), greedy
 *       largest-first (only (batch id, token count) pairs reach the driver);</li>
 *   <li>per partition a {@link PairPartition}, whose batch order is reshuffled each epoch from the seed.</li>
 * </ol>
 * Targets arrive framed {@code <bos> y_1 .. y_n <eos>} ({@link EncodedPair#encode}); the partitions store y_1 .. y_n,
 * and the model's spec must use {@link Vocabulary#BOS_ID} and {@link Vocabulary#EOS_ID} as its begin and end ids.
 */
public final class PairBatching {
    private PairBatching() {
    }

    /** A batch before it is placed: id, pairs (storage order), real tokens. */
    record Batch(long id, EncodedPair[] rows, long tokens) implements Serializable {
    }

    /** Batches that {@code rows} pairs make: full chunks of chunkBatches, then ceil(rest / B). */
    static long batchesOf(long rows, Batching.Options o) {
        long chunkRows = (long) o.chunkBatches() * o.batchSize();
        return rows / chunkRows * o.chunkBatches() + (rows % chunkRows + o.batchSize() - 1) / o.batchSize();
    }

    /**
     * Fails when {@code rows} pairs cannot give every partition a batch. Arithmetic only: call it with the
     * reader's count ({@code Corpus.count()}) to refuse such a configuration before any Spark job. With a token
     * budget ({@code batchTokens > 0}) a batch holds at least one pair, so only fewer pairs than partitions are
     * refused here; {@link #partitions} checks the batches it cut.
     *
     * @throws CorpusException when there are no pairs or fewer batches than partitions
     */
    public static void checkBatches(long rows, Batching.Options o, int batchTokens) {
        if (rows == 0) {
            throw new CorpusException("no pairs to batch");
        }
        if (batchTokens > 0) {
            if (rows < o.partitions()) {
                throw tooFew(rows, "at most " + rows, o, batchTokens);
            }
            return;
        }
        long batchCount = batchesOf(rows, o);
        if (batchCount < o.partitions()) {
            throw tooFew(rows, String.valueOf(batchCount), o, 0);
        }
    }

    private static CorpusException tooFew(long rows, String batches, Batching.Options o, int batchTokens) {
        return new CorpusException(rows + " pairs make " + batches
                + " batches of " + (batchTokens > 0 ? "up to " + batchTokens + " padded tokens" : o.batchSize())
                + ", too few for " + o.partitions() + " partitions; use fewer partitions or a smaller "
                + (batchTokens > 0 ? "train.batch-tokens" : "batch"));
    }

    /**
     * The training partitions of {@code data}, persisted (serialized, memory and disk): batches of exactly B pairs
     * ({@code batchTokens == 0}) or of up to {@code batchTokens} padded tokens.
     *
     * @throws CorpusException when there are no pairs or fewer batches than partitions
     */
    public static JavaRDD<PairPartition> partitions(JavaRDD<EncodedPair> data, Batching.Options o, int batchTokens) {
        if (batchTokens < 0) {
            throw new IllegalArgumentException("batchTokens must be >= 0 (0 = batches of B pairs), found "
                    + batchTokens);
        }
        long rows = data.count();
        checkBatches(rows, o, batchTokens);
        long seed = o.seed();
        long chunkRows = (long) o.chunkBatches() * o.batchSize();
        int chunks = (int) ((rows + chunkRows - 1) / chunkRows);
        JavaRDD<Batch> batches = data.zipWithIndex()
                .mapToPair(p -> new Tuple2<>(Batching.mix(seed, p._2()), p._1()))
                .sortByKey(true, data.getNumPartitions())
                .values()
                .zipWithIndex()
                .mapToPair(p -> new Tuple2<>(p._2() / chunkRows, new Tuple2<>(p._2(), p._1())))
                .groupByKey(new HashPartitioner(Math.max(1, Math.min(chunks, 4 * o.partitions()))))
                .flatMap(c -> cut(c._1(), c._2(), o, batchTokens).iterator())
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        List<Tuple2<Long, Long>> sizes = batches.map(x -> new Tuple2<>(x.id(), x.tokens())).collect();
        if (sizes.size() < o.partitions()) {
            batches.unpersist(false);
            throw tooFew(rows, String.valueOf(sizes.size()), o, batchTokens);
        }
        Broadcast<Map<Long, Integer>> place = JavaSparkContext.fromSparkContext(data.context())
                .broadcast(Batching.assign(sizes, o.partitions()));
        JavaRDD<PairPartition> out = batches
                .mapToPair(x -> new Tuple2<>(place.value().get(x.id()), x))
                .partitionBy(new HashPartitioner(o.partitions()))
                .mapPartitionsWithIndex((p, it) -> {
                    List<Batch> mine = new ArrayList<>();
                    it.forEachRemaining(t -> mine.add(t._2()));
                    mine.sort((x, y) -> Long.compare(x.id(), y.id()));
                    return Collections.singletonList(build(p, mine, o)).iterator();
                }, true)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        out.count();
        batches.unpersist(false);
        return out;
    }

    /** Source steps plus decoder steps (target tokens and {@code <eos>}) of a framed pair. */
    static int tokens(EncodedPair p) {
        return p.source().length + p.target().length - 1;
    }

    /** Decoder steps of a framed pair: y_1 .. y_n and {@code <eos>}, n + 1. */
    static int steps(EncodedPair p) {
        return p.target().length - 1;
    }

    /**
     * The padded size of a batch of {@code rows} pairs whose longest source has {@code maxSource} tokens and whose
     * longest target {@code maxSteps} decoder steps: what the step computes, padding included.
     */
    static long padded(int rows, int maxSource, int maxSteps) {
        return (long) rows * (maxSource + maxSteps);
    }

    /**
     * Cuts one chunk into batches (bucketed by source, then target length, when asked): of exactly B pairs when
     * {@code batchTokens == 0}, else of up to {@code batchTokens} padded tokens ({@link #padded}). Batch ids are
     * unique across chunks: {@code chunk * chunkBatches + k} for batches of B pairs (at most chunkBatches a
     * chunk), {@code chunk * chunkBatches * B + k} with a token budget (at most one batch per pair).
     */
    static List<Batch> cut(long chunk, Iterable<Tuple2<Long, EncodedPair>> members, Batching.Options o,
            int batchTokens) {
        List<Tuple2<Long, EncodedPair>> rows = new ArrayList<>();
        members.forEach(rows::add);
        rows.sort((x, y) -> Long.compare(x._1(), y._1()));
        if (o.bucket()) {
            rows.sort((x, y) -> x._2().source().length != y._2().source().length
                    ? Integer.compare(x._2().source().length, y._2().source().length)
                    : Integer.compare(x._2().target().length, y._2().target().length));
        }
        return batchTokens > 0 ? cutByTokens(chunk, rows, o, batchTokens) : cutByRows(chunk, rows, o);
    }

    private static List<Batch> cutByRows(long chunk, List<Tuple2<Long, EncodedPair>> rows, Batching.Options o) {
        int b = o.batchSize();
        List<Batch> out = new ArrayList<>();
        for (int start = 0, k = 0; start < rows.size(); start += b, k++) {
            EncodedPair[] batch = new EncodedPair[b];
            long tokens = 0;
            for (int r = 0; r < b; r++) {
                batch[r] = checkFramed(rows.get((start + r) % rows.size())._2());
                tokens += tokens(batch[r]);
            }
            out.add(new Batch(chunk * o.chunkBatches() + k, batch, tokens));
        }
        return out;
    }

    /** Greedy in the chunk's order: a pair joins the open batch while the padded size stays within the budget. */
    private static List<Batch> cutByTokens(long chunk, List<Tuple2<Long, EncodedPair>> rows, Batching.Options o,
            int batchTokens) {
        long first = chunk * o.chunkBatches() * (long) o.batchSize();
        List<Batch> out = new ArrayList<>();
        List<EncodedPair> open = new ArrayList<>();
        int maxSource = 0;
        int maxSteps = 0;
        long tokens = 0;
        for (Tuple2<Long, EncodedPair> row : rows) {
            EncodedPair p = checkFramed(row._2());
            int s = Math.max(maxSource, p.source().length);
            int t = Math.max(maxSteps, steps(p));
            if (!open.isEmpty() && padded(open.size() + 1, s, t) > batchTokens) {
                out.add(new Batch(first + out.size(), open.toArray(new EncodedPair[0]), tokens));
                open.clear();
                tokens = 0;
                s = p.source().length;
                t = steps(p);
            }
            open.add(p);
            maxSource = s;
            maxSteps = t;
            tokens += tokens(p);
        }
        if (!open.isEmpty()) {
            out.add(new Batch(first + out.size(), open.toArray(new EncodedPair[0]), tokens));
        }
        return out;
    }

    private static EncodedPair checkFramed(EncodedPair p) {
        int[] t = p.target();
        if (p.source().length == 0 || t.length < 3 || t[0] != Vocabulary.BOS_ID
                || t[t.length - 1] != Vocabulary.EOS_ID) {
            throw new IllegalArgumentException("a seq2seq pair needs a non-empty source and a target framed <bos> y_1 "
                    + ".. y_n <eos> with n >= 1 (EncodedPair.encode), found source " + Arrays.toString(p.source())
                    + ", target " + Arrays.toString(t));
        }
        return p;
    }

    private static PairPartition build(int p, List<Batch> batches, Batching.Options o) {
        int n = batches.size();
        int[][] src = new int[n][];
        int[][] srcLen = new int[n][];
        int[][] tgt = new int[n][];
        int[][] tgtLen = new int[n][];
        for (int k = 0; k < n; k++) {
            EncodedPair[] rows = batches.get(k).rows();
            srcLen[k] = new int[rows.length];
            tgtLen[k] = new int[rows.length];
            int s = 0;
            int t = 0;
            for (int r = 0; r < rows.length; r++) {
                srcLen[k][r] = rows[r].source().length;
                tgtLen[k][r] = rows[r].target().length - 2;
                s += srcLen[k][r];
                t += tgtLen[k][r];
            }
            src[k] = new int[s];
            tgt[k] = new int[t];
            s = 0;
            t = 0;
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(rows[r].source(), 0, src[k], s, srcLen[k][r]);
                System.arraycopy(rows[r].target(), 1, tgt[k], t, tgtLen[k][r]);
                s += srcLen[k][r];
                t += tgtLen[k][r];
            }
        }
        return new PairPartition(p, o.seed(), src, srcLen, tgt, tgtLen);
    }

    /** Per-partition tokens, batches and padding, computed on the executors: only numbers reach the driver. */
    public static Batching.Stats stats(JavaRDD<PairPartition> parts) {
        return Batching.summarize(parts, PairPartition::tokens, PairPartition::paddingShares);
    }
}
