package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.driver.corpus.CorpusException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Re-cuts encoded blocks, which follow the read splits, into contiguous ranges of the corpus token order:
 * range p is {@code [bounds[p], bounds[p+1])} of the global positions. Each block is cut at the range bounds
 * it crosses, the pieces are shuffled to their range keyed by global position and sorted, and each range
 * concatenates its pieces into one {@code int[]} (checked to tile the range exactly). Nothing passes through
 * the driver.
 */
final class StreamCut {
    private StreamCut() {
    }

    /**
     * @param blocks the encoded blocks
     * @param splitStart global position of each split's first token
     * @param bounds ascending range bounds; ranges are [bounds[p], bounds[p+1])
     */
    static JavaRDD<int[]> ranges(JavaRDD<IdBlock> blocks, long[] splitStart, long[] bounds) {
        JavaPairRDD<Long, IdBlock> pieces = blocks.flatMapToPair(b -> pieces(b, splitStart, bounds).iterator());
        return pieces.repartitionAndSortWithinPartitions(new ByBounds(bounds))
                .mapPartitionsWithIndex((p, it) -> List.of(assemble(p, it, bounds)).iterator(), true);
    }

    static List<Tuple2<Long, IdBlock>> pieces(IdBlock b, long[] splitStart, long[] bounds) {
        List<Tuple2<Long, IdBlock>> out = new ArrayList<>(2);
        long g = splitStart[b.split()] + b.offset();
        long end = g + b.length();
        if (end <= bounds[0] || g >= bounds[bounds.length - 1] || b.length() == 0) {
            return out;
        }
        int p = range(bounds, Math.max(g, bounds[0]));
        while (p < bounds.length - 1 && bounds[p] < end) {
            long from = Math.max(g, bounds[p]);
            long to = Math.min(end, bounds[p + 1]);
            if (to > from) {
                out.add(new Tuple2<>(from, from == g && to == end ? b : b.slice((int) (from - g), (int) (to - g))));
            }
            p++;
        }
        return out;
    }

    /** The range holding global position {@code x} (bounds[0] <= x < bounds[last]). */
    static int range(long[] bounds, long x) {
        int i = Arrays.binarySearch(bounds, x);
        int r = i >= 0 ? i : -i - 2;
        // equal bounds (empty ranges) are impossible here: every range has at least one token
        return Math.min(r, bounds.length - 2);
    }

    private static int[] assemble(int p, Iterator<Tuple2<Long, IdBlock>> it, long[] bounds) {
        long lo = bounds[p];
        long len = bounds[p + 1] - lo;
        if (len > Integer.MAX_VALUE - 8) {
            throw new CorpusException("a partition of " + len + " tokens exceeds an int[]; use more partitions");
        }
        int[] out = new int[(int) len];
        long at = lo;
        while (it.hasNext()) {
            Tuple2<Long, IdBlock> t = it.next();
            if (t._1() != at) {
                throw new IllegalStateException("range " + p + ": piece at " + t._1() + ", expected " + at);
            }
            IdBlock b = t._2();
            b.copyTo(0, b.length(), out, (int) (at - lo));
            at += b.length();
        }
        if (at != bounds[p + 1]) {
            throw new IllegalStateException("range " + p + " ends at " + at + ", expected " + bounds[p + 1]);
        }
        return out;
    }

    /** Sends global position x to its range. */
    static final class ByBounds extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final long[] bounds;

        ByBounds(long[] bounds) {
            this.bounds = bounds;
        }

        @Override
        public int numPartitions() {
            return bounds.length - 1;
        }

        @Override
        public int getPartition(Object key) {
            return range(bounds, (Long) key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByBounds b && Arrays.equals(b.bounds, bounds);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bounds);
        }
    }
}
