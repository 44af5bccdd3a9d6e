package io.sparkrnn.driver.corpus.forecast;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.round.SequencePartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Forecasting windows to training partitions for the round loop: a seeded global shuffle (sort by a hash of
 * (seed, window position)), batches of exactly B consecutive shuffled windows (the last batch is completed with
 * windows from the start of the shuffle, so at most B - 1 windows a pass are seen twice), and batch k to
 * partition k mod n. All windows have W steps, so batches are equal in tokens and need no length buckets.
 * Only the window count reaches the driver.
 */
public final class WindowBatching {
    private WindowBatching() {
    }

    /**
     * @param features F, inputs per step
     * @param outputs  K * H, target values per window
     */
    public static JavaRDD<SequencePartition> of(JavaRDD<ForecastWindow> windows, int steps, int features, int outputs,
            int batchSize, int partitions, long seed) {
        if (batchSize < 1 || partitions < 1) {
            throw new IllegalArgumentException("batchSize and partitions must be >= 1, found " + batchSize + ", "
                    + partitions);
        }
        var positioned = windows.zipWithIndex()
                .mapToPair(p -> new Tuple2<>(Batching.mix(seed, p._2()), p._1()))
                .sortByKey(true, windows.getNumPartitions())
                .values()
                .zipWithIndex()
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        long rows = positioned.count();
        long batches = (rows + batchSize - 1) / batchSize;
        if (batches < partitions) {
            positioned.unpersist(false);
            throw new CorpusException(rows + " windows make " + batches + " batches of " + batchSize + ", too few for "
                    + partitions + " partitions; use fewer partitions or a smaller batch");
        }
        long fill = batches * batchSize - rows;
        JavaRDD<SequencePartition> out = positioned
                .flatMapToPair(p -> {
                    List<Tuple2<Integer, Tuple2<Long, ForecastWindow>>> l = new ArrayList<>(2);
                    l.add(new Tuple2<>((int) ((p._2() / batchSize) % partitions), new Tuple2<>(p._2(), p._1())));
                    if (p._2() < fill) {
                        long again = rows + p._2();
                        l.add(new Tuple2<>((int) ((again / batchSize) % partitions), new Tuple2<>(again, p._1())));
                    }
                    return l.iterator();
                })
                .partitionBy(new HashPartitioner(partitions))
                .mapPartitionsWithIndex((part, it) -> {
                    List<Tuple2<Long, ForecastWindow>> mine = new ArrayList<>();
                    it.forEachRemaining(t -> mine.add(t._2()));
                    mine.sort((x, y) -> Long.compare(x._1(), y._1()));
                    int n = mine.size() / batchSize;
                    float[][] in = new float[n][];
                    float[][] tgt = new float[n][];
                    for (int k = 0; k < n; k++) {
                        in[k] = new float[batchSize * steps * features];
                        tgt[k] = new float[batchSize * outputs];
                        for (int r = 0; r < batchSize; r++) {
                            ForecastWindow w = mine.get(k * batchSize + r)._2();
                            System.arraycopy(w.inputs(), 0, in[k], r * steps * features, steps * features);
                            System.arraycopy(w.targets(), 0, tgt[k], r * outputs, outputs);
                        }
                    }
                    return Collections.singletonList((SequencePartition) new WindowPartition(part, seed, batchSize,
                            steps, features, outputs, in, tgt)).iterator();
                }, true)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        out.count();
        positioned.unpersist(false);
        return out;
    }
}
