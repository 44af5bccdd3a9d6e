package io.sparkrnn.driver.corpus.batching;

import java.util.SplittableRandom;

/**
 * The batch order of one partition, epoch by epoch: epoch e visits the partition's n stored batches in a
 * Fisher-Yates permutation drawn from a generator seeded by (seed, partition, e), so the batch at any step is a
 * pure function of (seed, partition, step). The permutation of the current epoch is kept; a partition holds one
 * of these as a transient field (it is rebuilt on an executor, never shipped).
 */
public final class EpochOrder {
    private final int batches;
    private final long seed;
    private final int partition;
    private long epoch = -1;
    private int[] order;

    public EpochOrder(int batches, long seed, int partition) {
        if (batches < 1) {
            throw new IllegalArgumentException("partition " + partition + " has no batches");
        }
        this.batches = batches;
        this.seed = seed;
        this.partition = partition;
    }

    /** The storage index of the batch at {@code step} (epoch {@code step / n}, position {@code step % n}). */
    public int batchAt(long step) {
        long e = step / batches;
        if (e != epoch) {
            order = permutation(e);
            epoch = e;
        }
        return order[(int) (step % batches)];
    }

    private int[] permutation(long e) {
        int[] o = new int[batches];
        for (int i = 0; i < o.length; i++) {
            o[i] = i;
        }
        SplittableRandom r = new SplittableRandom(Batching.mix(Batching.mix(seed, partition), e));
        for (int i = o.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }
}
