package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.driver.round.SequencePartition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Language-model partitions from a token stream held by the driver: the stream is cut into {@code n}
 * contiguous pieces, one per partition, so that the recurrent state carries across each piece's batches.
 * (Corpora too large for the driver are read by {@link LmTextReader}, which builds the same partitions on the
 * executors.) The stream goes to the executors once, as a broadcast, and each partition is cut from it where
 * it is cached: a partition of {@code parallelize(pieces)} would carry its piece inside every task of every
 * round (Spark serialises the partition with each task), which cost each round a few ms per MB of tokens.
 */
public final class StreamPartitions {
    private StreamPartitions() {
    }

    /**
     * Cuts {@code stream} into {@code partitions} pieces of {@code lanes x steps} batches; fails before any Spark
     * job when the stream cannot give every partition at least one batch.
     */
    public static JavaRDD<SequencePartition> of(JavaSparkContext sc, int[] stream, int partitions, int lanes,
            int steps) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, found " + partitions);
        }
        long need = (long) partitions * ((long) lanes * steps + 1);
        if (stream.length < need) {
            throw new IllegalArgumentException("the corpus has " + stream.length + " tokens, too few for " + partitions
                    + " partitions of " + lanes + " lanes x " + steps + " steps (needs at least " + need
                    + "); use fewer partitions or a smaller batch");
        }
        int piece = stream.length / partitions;
        Broadcast<int[]> tokens = sc.broadcast(Arrays.copyOf(stream, piece * partitions));
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ids.add(p);
        }
        return sc.parallelize(ids, partitions).mapPartitionsWithIndex((p, it) -> List.<SequencePartition>of(
                new TokenStreamPartition(Arrays.copyOfRange(tokens.value(), p * piece, (p + 1) * piece), lanes, steps))
                .iterator(), true).cache();
    }
}
