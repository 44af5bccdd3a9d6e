package io.sparkrnn.driver.corpus.pairs;

import io.sparkrnn.driver.corpus.batching.ShuffledPartition;
import io.sparkrnn.engine.seq2seq.Seq2SeqBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One partition's batches of (source, target) pairs for an encoder-decoder model. Each batch holds exactly
 * B pairs, or, cut by a token budget, as many as fit it ({@link PairBatching}); {@link #batchSize} is the
 * largest batch's. Batches are stored compactly: per batch the concatenated source ids with their lengths and the
 * concatenated target ids (without {@code <bos>} and {@code <eos>}, which the model adds) with theirs. Batch
 * order is reshuffled every epoch with a generator derived from (seed, partition, epoch), so {@link #batch} is
 * a pure function of the data, the seed and the step. Pairs are independent: every batch starts new sequences.
 */
public final class PairPartition extends ShuffledPartition<Seq2SeqBatch> {
    private static final long serialVersionUID = 1L;
    /** Per batch: concatenated source ids, source lengths, concatenated target ids, target lengths. */
    private final int[][] sources;
    private final int[][] sourceLengths;
    private final int[][] targets;
    private final int[][] targetLengths;

    PairPartition(int partition, long seed, int[][] sources, int[][] sourceLengths, int[][] targets,
            int[][] targetLengths) {
        super(partition, seed, Arrays.stream(sourceLengths).mapToInt(l -> l.length).max().orElse(0), sources.length);
        this.sources = sources;
        this.sourceLengths = sourceLengths;
        this.targets = targets;
        this.targetLengths = targetLengths;
    }

    /** Batch {@code k} in storage order (before the epoch shuffle). */
    @Override
    protected Seq2SeqBatch stored(int k) {
        return new Seq2SeqBatch(rows(sources[k], sourceLengths[k]), rows(targets[k], targetLengths[k]));
    }

    private static List<int[]> rows(int[] ids, int[] lengths) {
        List<int[]> out = new ArrayList<>(lengths.length);
        int at = 0;
        for (int len : lengths) {
            int[] row = new int[len];
            System.arraycopy(ids, at, row, 0, len);
            out.add(row);
            at += len;
        }
        return out;
    }

    /**
     * Real tokens in this partition: source steps plus decoder steps (target tokens and {@code <eos>}) of
     * every stored pair, as {@link PairBatching} balances them.
     */
    public long tokens() {
        long t = 0;
        for (int k = 0; k < sources.length; k++) {
            t += sources[k].length + targets[k].length + sourceLengths[k].length;
        }
        return t;
    }

    /**
     * Padding share of each batch: {@code 1 - (sum S_r + sum T_r) / (rows (max S + max T))}, S source lengths and
     * T = target length + 1 decoder steps.
     */
    public double[] paddingShares() {
        double[] s = new double[sources.length];
        for (int k = 0; k < sources.length; k++) {
            int maxS = 0;
            int maxT = 0;
            int rows = sourceLengths[k].length;
            for (int r = 0; r < rows; r++) {
                maxS = Math.max(maxS, sourceLengths[k][r]);
                maxT = Math.max(maxT, targetLengths[k][r] + 1);
            }
            double real = sources[k].length + targets[k].length + rows;
            s[k] = 1.0 - real / ((double) rows * (maxS + maxT));
        }
        return s;
    }
}
