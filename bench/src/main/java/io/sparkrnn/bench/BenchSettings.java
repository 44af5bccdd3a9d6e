package io.sparkrnn.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * The settings of one benchmark run, shared by every implementation, so that each times the same step.
 *
 * @param cells       recurrent cells to time: lstm, gru, rnn
 * @param hiddens     hidden sizes to time
 * @param impls       implementations to time: ours, ours-bf16, dl4j, torch, torch-bf16
 * @param vocab       vocabulary V (also the output width)
 * @param embedding   embedding size E (the recurrent input I)
 * @param batches     sequences B per batch; each value is its own measurement
 * @param seq         sequence length T per batch
 * @param k           truncated BPTT window, k1 = k2
 * @param lr          Adam learning rate
 * @param clip        gradient clip (global L2 norm for ours and PyTorch; per layer for DL4J)
 * @param repeats     timed repeats; the median is reported
 * @param steps       batches per timed repeat; 0 = chosen from a warm-up batch to last about
 *                    {@code targetSeconds}
 * @param targetSeconds wall time aimed at per repeat when {@code steps} is 0
 * @param threads     OpenMP/BLAS thread counts; every implementation and the GEMM peak is measured at each
 * @param seed        seed of the random tokens and the initial weights
 */
public record BenchSettings(List<String> cells, List<Integer> hiddens, List<String> impls, int vocab, int embedding,
        List<Integer> batches, int seq, int k, double lr, double clip, int repeats, int steps, double targetSeconds,
        List<Integer> threads, long seed) {

    public static final List<String> CELLS = List.of("lstm", "gru", "rnn");
    /**
     * Every implementation; ours-bf16 = ours with {@code train.precision = bf16}, torch-bf16 = the torch step under
     * bf16 autocast ({@link TorchPeer}).
     */
    public static final List<String> IMPLS = List.of("ours", "ours-bf16", "dl4j", "torch", "torch-bf16");
    /** The implementations timed by default. */
    public static final List<String> DEFAULT_IMPLS = List.of("ours", "dl4j", "torch");

    public BenchSettings {
        cells = List.copyOf(cells);
        hiddens = List.copyOf(hiddens);
        impls = List.copyOf(impls);
        batches = List.copyOf(batches);
        threads = List.copyOf(threads);
        if (batches.isEmpty() || threads.isEmpty() || cells.isEmpty() || hiddens.isEmpty() || impls.isEmpty()) {
            throw new IllegalArgumentException("cells, hidden, impl, batch and threads each need at least one value");
        }
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
        for (int b : batches) {
            positive("batch", b);
        }
        positive("seq", seq);
        positive("k", k);
        positive("repeats", repeats);
        for (int t : threads) {
            positive("threads", t);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0 (0 = automatic), found " + steps);
        }
        if (!(targetSeconds > 0)) {
            throw new IllegalArgumentException("target-seconds must be positive, found " + targetSeconds);
        }
    }

    /** The default settings: V = E = 64, B = 32, T = 100, k1 = k2 = 50, Adam 1e-3, clip 1.0, 5 repeats, 1 and 2 threads. */
    public static BenchSettings defaults() {
        return new BenchSettings(CELLS, List.of(128, 512), DEFAULT_IMPLS, 64, 64, List.of(32), 100, 50, 1e-3, 1.0, 5, 0, 3.0,
                List.of(1, 2), 1234);
    }

    /** The settings of one measurement: this batch size and thread count only. */
    public BenchSettings at(int batch, int threadCount) {
        return new BenchSettings(cells, hiddens, impls, vocab, embedding, List.of(batch), seq, k, lr, clip, repeats,
                steps, targetSeconds, List.of(threadCount), seed);
    }

    /** B of a single measurement (see {@link #at}). */
    @JsonIgnore
    public int batch() {
        return single("batch", batches);
    }

    /** Thread count of a single measurement (see {@link #at}). */
    @JsonIgnore
    public int threadCount() {
        return single("threads", threads);
    }

    private static int single(String name, List<Integer> values) {
        if (values.size() != 1) {
            throw new IllegalStateException(name + " has " + values.size() + " values; one measurement needs one");
        }
        return values.get(0);
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, found " + v);
        }
    }

    /** Tokens trained per batch of a single measurement: every step of every sequence has a target. */
    @JsonIgnore
    public long tokensPerBatch() {
        return (long) batch() * seq;
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
