package io.sparkrnn.driver.corpus.batching;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.round.SequencePartition;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Encoded examples to training partitions for the round loop:
 * <ol>
 *   <li>a seeded global shuffle (sort by a hash of (seed, input position));</li>
 *   <li>chunks of {@code chunkBatches * B} consecutive shuffled rows; with bucketing, rows are sorted by length
 *       within a chunk (ties keep the shuffled order), then cut into batches of exactly B rows. The last, short
 *       batch is filled with rows from the start of its chunk, so at most B - 1 rows a pass are seen twice (as
 *       PyTorch's DistributedSampler pads);</li>
 *   <li>batches spread over n partitions balanced by real tokens: greedy largest-first into the least loaded
 *       partition (only (batch id, token count) pairs reach the driver);</li>
 *   <li>per partition a {@link BatchedPartition}, whose batch order is reshuffled each epoch from the seed.</li>
 * </ol>
 */
public final class Batching {
    private Batching() {
    }

    /**
     * @param batchSize B, rows per batch
     * @param chunkBatches batches per bucketing chunk (larger: less padding, less randomness across lengths)
     * @param bucket sort by length within chunks (false: batches of randomly shuffled rows)
     * @param partitions n, training partitions
     * @param seed the one seed; shuffles derive from it
     */
    public record Options(int batchSize, int chunkBatches, boolean bucket, int partitions, long seed)
            implements Serializable {
        public Options {
            if (batchSize < 1 || chunkBatches < 1 || partitions < 1) {
                throw new IllegalArgumentException("batchSize, chunkBatches and partitions must be >= 1, found "
                        + batchSize + ", " + chunkBatches + ", " + partitions);
            }
        }
    }

    /** A batch before it is placed: id, rows (storage order), real tokens. */
    record Batch(long id, Encoded[] rows, long tokens) implements Serializable {
    }

    /** Tagging batches: per-step targets padded with {@code ignoreIndex}, inputs with {@code paddingId}. */
    public static JavaRDD<SequencePartition> aligned(JavaRDD<Encoded> data, Options o, int paddingId, int ignoreIndex) {
        return partitions(data, o, true, paddingId, ignoreIndex);
    }

    /** Classification batches: one label per row. */
    public static JavaRDD<SequencePartition> pooled(JavaRDD<Encoded> data, Options o, int paddingId) {
        return partitions(data, o, false, paddingId, -1);
    }

    private static JavaRDD<SequencePartition> partitions(JavaRDD<Encoded> data, Options o, boolean aligned,
            int paddingId, int ignoreIndex) {
        int b = o.batchSize();
        long seed = o.seed();
        long chunkRows = (long) o.chunkBatches() * b;
        // position in the seeded shuffle: sort by a hash of (seed, input position)
        var positioned = data.zipWithIndex()
                .mapToPair(p -> new Tuple2<>(mix(seed, p._2()), p._1()))
                .sortByKey(true, data.getNumPartitions())
                .values()
                .zipWithIndex();
        long rows = positioned.count();
        if (rows == 0) {
            throw new CorpusException("no examples to batch");
        }
        int chunks = (int) ((rows + chunkRows - 1) / chunkRows);
        JavaRDD<Batch> batches = positioned
                .mapToPair(p -> new Tuple2<>(p._2() / chunkRows, new Tuple2<>(p._2(), p._1())))
                .groupByKey(new HashPartitioner(Math.max(1, Math.min(chunks, 4 * o.partitions()))))
                .flatMap(c -> cut(c._1(), c._2(), o).iterator())
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        List<Tuple2<Long, Long>> sizes = batches.map(x -> new Tuple2<>(x.id(), x.tokens())).collect();
        if (sizes.size() < o.partitions()) {
            batches.unpersist(false);
            throw new CorpusException(rows + " examples make " + sizes.size() + " batches of " + b + ", too few for "
                    + o.partitions() + " partitions; use fewer partitions or a smaller batch");
        }
        Broadcast<Map<Long, Integer>> place = JavaSparkContextHolder.of(data).broadcast(assign(sizes, o.partitions()));
        JavaRDD<SequencePartition> out = batches
                .mapToPair(x -> new Tuple2<>(place.value().get(x.id()), x))
                .partitionBy(new HashPartitioner(o.partitions()))
                .mapPartitionsWithIndex((p, it) -> {
                    List<Batch> mine = new ArrayList<>();
                    it.forEachRemaining(t -> mine.add(t._2()));
                    mine.sort((x, y) -> Long.compare(x.id(), y.id()));
                    return Collections.singletonList((SequencePartition) build(p, mine, o, aligned, paddingId,
                            ignoreIndex)).iterator();
                }, true)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        out.count();
        batches.unpersist(false);
        return out;
    }

    /** Cuts one chunk into batches of exactly B rows (bucketed by length when asked). */
    static List<Batch> cut(long chunk, Iterable<Tuple2<Long, Encoded>> members, Options o) {
        List<Tuple2<Long, Encoded>> rows = new ArrayList<>();
        members.forEach(rows::add);
        rows.sort((x, y) -> Long.compare(x._1(), y._1()));
        if (o.bucket()) {
            rows.sort((x, y) -> Integer.compare(x._2().length(), y._2().length()));
        }
        int b = o.batchSize();
        List<Batch> out = new ArrayList<>();
        for (int start = 0, k = 0; start < rows.size(); start += b, k++) {
            Encoded[] batch = new Encoded[b];
            long tokens = 0;
            for (int r = 0; r < b; r++) {
                batch[r] = rows.get((start + r) % rows.size())._2();
                tokens += batch[r].length();
            }
            out.add(new Batch(chunk * o.chunkBatches() + k, batch, tokens));
        }
        return out;
    }

    /** Greedy largest-first: each batch (by descending tokens, then id) to the least loaded partition. */
    public static Map<Long, Integer> assign(List<Tuple2<Long, Long>> sizes, int n) {
        List<Tuple2<Long, Long>> s = new ArrayList<>(sizes);
        s.sort((x, y) -> x._2().equals(y._2()) ? Long.compare(x._1(), y._1()) : Long.compare(y._2(), x._2()));
        long[] load = new long[n];
        Map<Long, Integer> place = new HashMap<>();
        for (Tuple2<Long, Long> t : s) {
            int best = 0;
            for (int p = 1; p < n; p++) {
                if (load[p] < load[best]) {
                    best = p;
                }
            }
            load[best] += t._2();
            place.put(t._1(), best);
        }
        return place;
    }

    private static BatchedPartition build(int p, List<Batch> batches, Options o, boolean aligned, int paddingId,
            int ignoreIndex) {
        int n = batches.size();
        int[][] ids = new int[n][];
        int[][] lengths = new int[n][];
        int[][] targets = new int[n][];
        for (int k = 0; k < n; k++) {
            Encoded[] rows = batches.get(k).rows();
            int total = (int) batches.get(k).tokens();
            ids[k] = new int[total];
            lengths[k] = new int[rows.length];
            targets[k] = new int[aligned ? total : rows.length];
            int at = 0;
            for (int r = 0; r < rows.length; r++) {
                int len = rows[r].length();
                System.arraycopy(rows[r].tokens(), 0, ids[k], at, len);
                if (aligned) {
                    System.arraycopy(rows[r].targets(), 0, targets[k], at, len);
                } else {
                    targets[k][r] = rows[r].label();
                }
                lengths[k][r] = len;
                at += len;
            }
        }
        return new BatchedPartition(p, o.seed(), o.batchSize(), aligned, paddingId, ignoreIndex, ids, lengths, targets);
    }

    /** SplitMix64 of (a, b): a well-mixed 64-bit key. */
    public static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Per-partition statistics, computed on the executors: only numbers reach the driver. */
    public record Stats(long[] tokens, long[] batches, double meanPaddingShare, double maxPaddingShare) {
        /** Max / min real tokens across partitions. */
        public double imbalance() {
            long max = Arrays.stream(tokens).max().orElse(0);
            long min = Arrays.stream(tokens).min().orElse(0);
            return (double) max / min;
        }
    }

    public static Stats stats(JavaRDD<SequencePartition> parts) {
        return summarize(parts.map(d -> (BatchedPartition) d), BatchedPartition::tokens,
                BatchedPartition::paddingShares);
    }

    /**
     * The statistics of any kind of batched partition, from its real-token count and per-batch padding shares;
     * four numbers per partition reach the driver.
     */
    public static <P> Stats summarize(JavaRDD<P> parts, Function<P, Long> tokensOf, Function<P, double[]> sharesOf) {
        List<double[]> per = parts.map(p -> {
            double[] shares = sharesOf.call(p);
            double sum = 0;
            double max = 0;
            for (double s : shares) {
                sum += s;
                max = Math.max(max, s);
            }
            return new double[] {tokensOf.call(p), shares.length, sum, max};
        }).collect();
        long[] tokens = new long[per.size()];
        long[] batches = new long[per.size()];
        double sum = 0;
        double max = 0;
        long all = 0;
        for (int i = 0; i < per.size(); i++) {
            tokens[i] = (long) per.get(i)[0];
            batches[i] = (long) per.get(i)[1];
            sum += per.get(i)[2];
            max = Math.max(max, per.get(i)[3]);
            all += batches[i];
        }
        return new Stats(tokens, batches, sum / all, max);
    }

    /** The Java context of an RDD (for the broadcast). */
    private static final class JavaSparkContextHolder {
        static org.apache.spark.api.java.JavaSparkContext of(JavaRDD<?> rdd) {
            return org.apache.spark.api.java.JavaSparkContext.fromSparkContext(rdd.context());
        }
    }
}
