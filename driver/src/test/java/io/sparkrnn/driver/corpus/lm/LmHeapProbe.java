package io.sparkrnn.driver.corpus.lm;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * The child JVM of {@link LmTextReaderHeapTest}: reads a character corpus through {@link LmTextReader} on
 * local[2] (vocabulary, encoding, partitioning, counts) and prints the counts. Arguments: corpus path, partitions,
 * Spark local dir.
 */
public final class LmHeapProbe {
    private LmHeapProbe() {
    }

    public static void main(String[] args) {
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("lm-heap-probe")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.local.dir", args[2])
                // Spark refuses heaps under 1.5 x its 300 MB reserve; the point here is a small heap
                .set("spark.testing.reservedMemory", String.valueOf(48L << 20))
                // cached blocks in at most 30% of the heap: G1 stores Spark's 1 MB buffers as humongous objects
                .set("spark.memory.fraction", "0.3");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            // the training partitions are not cached: caching would only add disk writes to this run
            LmCorpus c = LmTextReader.read(sc, args[0], LmOptions.chars().withValidationFraction(0.01)
                    .withPartitions(Integer.parseInt(args[1]), 32, 64).withStorage(StorageLevel.NONE()));
            System.out.println("heap=" + Runtime.getRuntime().maxMemory());
            System.out.println("splits=" + c.splits());
            System.out.println("tokens=" + c.tokens());
            System.out.println("train=" + c.trainTokens());
            System.out.println("partitions=" + c.partitionTokens().length);
            System.out.println("imbalance=" + c.imbalance());
        }
    }
}
