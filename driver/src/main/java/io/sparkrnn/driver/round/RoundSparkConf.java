package io.sparkrnn.driver.round;

import org.apache.spark.SparkConf;

/**
 * The Spark settings the round loop relies on, set on a job's {@link SparkConf} before its context starts (only
 * where the user has not set them).
 *
 * <p>{@code spark.task.maxDirectResultSize}: a task's result is its delta (4 bytes per parameter, twice more with
 * the averaged Adam state), a few MB for a mid-sized model against Spark's 1 MiB default. Above the limit the
 * executor stores the result in its block manager and the driver fetches it in a second round trip (registering,
 * locating, fetching and removing the block), which cost about half of the time outside local training in a
 * round of {@code bench spark}. It is raised to the RPC message limit ({@code spark.rpc.message.maxSize}, which
 * caps it anyway), so a result goes back with the task's status update; larger results still take the block
 * manager path.
 *
 * <p>{@code spark.broadcast.compress = false}: each round broadcasts the parameters (and the averaged inner state)
 * as float32, which LZ4 does not compress (1.001 of the input for 4 MB of LSTM weights) but which it costs the
 * driver about 4 ms of CPU per 4 MB to try, on the critical path of every round, and every executor the matching
 * decompression. The other broadcasts of a job (vocabularies, Hadoop settings, task closures) are sent once or
 * are small.
 */
public final class RoundSparkConf {
    static final String MAX_DIRECT_RESULT = "spark.task.maxDirectResultSize";
    static final String RPC_MAX = "spark.rpc.message.maxSize";
    static final String BROADCAST_COMPRESS = "spark.broadcast.compress";

    private RoundSparkConf() {
    }

    /** Sets the round loop's settings on {@code conf} where they are missing; returns {@code conf}. */
    public static SparkConf apply(SparkConf conf) {
        conf.setIfMissing(MAX_DIRECT_RESULT, conf.getInt(RPC_MAX, 128) + "m");
        conf.setIfMissing(BROADCAST_COMPRESS, "false");
        return conf;
    }
}
