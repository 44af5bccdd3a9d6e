package io.sparkrnn.driver.round;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Language-model partitions from a token stream held by the driver: the stream is cut into {@code n}
 * contiguous pieces, one per partition, so that the recurrent state carries across each piece's batches.
 * (Corpora too large for the driver are read by the corpus readers, which build the same partitions on the
 * executors.)
 */
public final class StreamPartitions {
    private StreamPartitions() {
    }

    /**
     * Cuts {@code stream} into {@code partitions} pieces of {@code lanes x steps} batches; fails before any Spark
     * job when the stream cannot give every partition at least one batch.
     */
    public static JavaRDD<PartitionData> of(JavaSparkContext sc, int[] stream, int partitions, int lanes, int steps) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, found " + partitions);
        }
        long need = (long) partitions * ((long) lanes * steps + 1);
        if (stream.length < need) {
            throw new IllegalArgumentException("the corpus has " + stream.length + " tokens, too few for " + partitions
                    + " partitions of " + lanes + " lanes x " + steps + " steps (needs at least " + need
                    + "); use fewer partitions or a smaller batch");
        }
        List<PartitionData> parts = new ArrayList<>();
        int piece = stream.length / partitions;
        for (int p = 0; p < partitions; p++) {
            parts.add(new TokenStreamPartition(Arrays.copyOfRange(stream, p * piece, (p + 1) * piece), lanes, steps));
        }
        return sc.parallelize(parts, partitions).cache();
    }
}
