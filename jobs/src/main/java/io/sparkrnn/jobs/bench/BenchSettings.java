package io.sparkrnn.jobs.bench;

import java.util.List;

/**
 * The settings of one benchmark run, shared by every implementation (issue 4).
 *
 * @param cells       recurrent cells to time: lstm, gru, rnn
 * @param hiddens     hidden sizes to time
 * @param impls       implementations to time: ours, dl4j, torch
 * @param vocab       vocabulary V (also the output width)
 * @param embedding   embedding size E (the recurrent input I)
 * @param batch       sequences B per batch
 * @param seq         sequence length T per batch
 * @param k           truncated BPTT window, k1 = k2
 * @param lr          Adam learning rate
 * @param clip        gradient clip (global L2 norm for ours and PyTorch; per layer for DL4J)
 * @param repeats     timed repeats; the median is reported
 * @param steps       batches per timed repeat; 0 = chosen from a warm-up batch to last about
 *                    {@code targetSeconds}
 * @param targetSeconds wall time aimed at per repeat when {@code steps} is 0
 * @param threads     BLAS/OpenMP threads for DL4J, PyTorch and the GEMM peak
 * @param oursThreads OpenMP threads for our engine (1 is the engine's tuned setting: one thread per task)
 * @param seed        seed of the random tokens and the initial weights
 */
public record BenchSettings(List<String> cells, List<Integer> hiddens, List<String> impls, int vocab, int embedding,
        int batch, int seq, int k, double lr, double clip, int repeats, int steps, double targetSeconds, int threads,
        int oursThreads, long seed) {

    public static final List<String> CELLS = List.of("lstm", "gru", "rnn");
    public static final List<String> IMPLS = List.of("ours", "dl4j", "torch");

    public BenchSettings {
        cells = List.copyOf(cells);
        hiddens = List.copyOf(hiddens);
        impls = List.copyOf(impls);
        for (String c : cells) {
            if (!CELLS.contains(c)) {
                throw new IllegalArgumentException("cell must be one of " + CELLS + ", found '" + c + "'");
            }
        }
        for (String i : impls) {
            if (!IMPLS.contains(i)) {
                throw new IllegalArgumentException("implementation must be one of " + IMPLS + ", found '" + i + "'");
            }
        }
        for (int h : hiddens) {
            positive("hidden", h);
        }
        positive("vocab", vocab);
        positive("embedding", embedding);
        positive("batch", batch);
        positive("seq", seq);
        positive("k", k);
        positive("repeats", repeats);
        positive("threads", threads);
        positive("ours-threads", oursThreads);
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0 (0 = automatic), found " + steps);
        }
        if (!(targetSeconds > 0)) {
            throw new IllegalArgumentException("target-seconds must be positive, found " + targetSeconds);
        }
    }

    /** The settings: V = E = 64, B = 32, T = 100, k1 = k2 = 50, Adam 1e-3, clip 1.0, 5 repeats, 2 threads. */
    public static BenchSettings defaults() {
        return new BenchSettings(CELLS, List.of(128, 512), IMPLS, 64, 64, 32, 100, 50, 1e-3, 1.0, 5, 0, 3.0, 2, 1,
                1234);
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, found " + v);
        }
    }

    /** Tokens trained per batch: every step of every sequence has a target. */
    public long tokensPerBatch() {
        return (long) batch * seq;
    }

    /** Gates per cell: G = gates x H. */
    public static int gates(String cell) {
        return switch (cell) {
            case "lstm" -> 4;
            case "gru" -> 3;
            case "rnn" -> 1;
            default -> throw new IllegalArgumentException("unknown cell " + cell);
        };
    }

    /**
     * GEMM flops of one trained token, forward and backward: each GEMM of the forward pass has two of the same
     * size in the backward pass (input gradient and weight gradient), hence the factor 3 on 2 flops per
     * multiply-add. Recurrent layer: input and recurrent projections {@code 2*3*G*(I + H)}; output layer
     * {@code 2*3*V*H}. Element-wise work, the embedding, softmax and the optimizer are not counted.
     */
    public long flopsPerToken(String cell, int hidden) {
        long g = (long) gates(cell) * hidden;
        return 2L * 3 * g * (embedding + hidden) + 2L * 3 * vocab * hidden;
    }
}
