package io.sparkrnn.engine.train;

import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.RowBlock;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.StepResult;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.tensor.Bf16Products;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A batch-parallel training step on T engine threads: the B rows of a window are cut into n = min(T, B) row
 * blocks, rows {@code [i*B/n, (i+1)*B/n)} for block i, and each block runs forward and backward on its own
 * thread, with its own model replica (activations and scratch buffers) and gradient vector, reading the shared
 * parameters. Each block's loss gradient is divided by the whole window's target count, so the block gradients
 * sum to the whole window's gradient of {@code lossSum / count}: {@code g = g_0 + g_1 + ... + g_{n-1}}, added in
 * block order whatever order the threads finish in, so a step is deterministic. The caller then clips and steps
 * the optimizer once. Block 0 runs on the calling thread and writes the caller's gradient vector; blocks 1..n-1 on
 * a pool of T-1 daemon threads owned by this object ({@link #close}).
 *
 * <p>Replicas, gradient vectors and threads are made once; each step cuts the window and the carried state into
 * row blocks (copies) and writes the blocks' final states back. BLAS and OpenMP should run at one thread
 * ({@code OMP_NUM_THREADS=1}), since the blocks already occupy the cores. The blocks run with the caller's bf16
 * products ({@link Bf16Products#current()}), if any.
 */
final class BatchParallel implements AutoCloseable {
    private final int threads;
    private final SequenceModel[] models;
    private final FlatParams[] grads;
    private final ExecutorService pool;

    BatchParallel(SequenceModel model, FlatParams grads, int threads) {
        if (threads < 2) {
            throw new IllegalArgumentException("a batch-parallel step needs at least 2 engine threads, found "
                    + threads);
        }
        this.threads = threads;
        this.models = new SequenceModel[threads];
        this.grads = new FlatParams[threads];
        models[0] = model;
        this.grads[0] = grads;
        for (int i = 1; i < threads; i++) {
            models[i] = new SequenceModel(model.spec());
            this.grads[i] = grads.zerosLike();
        }
        this.pool = Executors.newFixedThreadPool(threads - 1, daemonThreads());
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "spark-rnn-engine-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    int threads() {
        return threads;
    }

    /** Row blocks for a batch of {@code batch} rows. */
    int blocks(int batch) {
        return Math.min(threads, batch);
    }

    /** First row of block {@code i} of {@code n} in a batch of {@code batch} rows. */
    static int firstRow(int i, int n, int batch) {
        return (int) ((long) i * batch / n);
    }

    /** The state's rows of each block (copies). */
    ModelState[] split(ModelState state) {
        int b = state.batchSize();
        int n = blocks(b);
        ModelState[] s = new ModelState[n];
        for (int i = 0; i < n; i++) {
            s[i] = state.rows(firstRow(i, n, b), firstRow(i + 1, n, b));
        }
        return s;
    }

    /** Writes the blocks' states back into {@code state}. */
    void merge(ModelState state, ModelState[] blocks) {
        int b = state.batchSize();
        for (int i = 0; i < blocks.length; i++) {
            state.setRows(firstRow(i, blocks.length, b), blocks[i]);
        }
    }

    /**
     * Zeroes the caller's gradient vector and fills it with the whole window's gradient, computed block by block
     * (see the class comment); the blocks' states advance. Returns the whole window's loss sum and count.
     */
    StepResult lossAndGradient(FlatParams params, SequenceBatch window, ModelState[] states, int gradStart,
            long dropoutSeed) {
        int b = window.batchSize();
        int n = checkBlocks(window, states);
        long divisor = models[0].targetCount(window);
        StepResult[] results = new StepResult[n];
        run(n, i -> {
            int from = firstRow(i, n, b);
            grads[i].flat().assign(0);
            results[i] = models[i].lossAndGradient(params, grads[i], window.rows(from, firstRow(i + 1, n, b)),
                    states[i], gradStart, dropoutSeed, new RowBlock(from, b, divisor));
        });
        double sum = 0;
        long count = 0;
        for (int i = 0; i < n; i++) {
            sum += results[i].lossSum();
            count += results[i].count();
            if (i > 0) {
                grads[0].flat().addi(grads[i].flat());
            }
        }
        return new StepResult(sum, count);
    }

    /** The forward pass of each block without gradients (a pooled model's windows before the last). */
    void advance(FlatParams params, SequenceBatch window, ModelState[] states) {
        int b = window.batchSize();
        int n = checkBlocks(window, states);
        run(n, i -> models[i].loss(params, window.rows(firstRow(i, n, b), firstRow(i + 1, n, b)), states[i]));
    }

    private int checkBlocks(SequenceBatch window, ModelState[] states) {
        int n = blocks(window.batchSize());
        if (states.length != n) {
            throw new IllegalArgumentException("state has " + states.length + " row blocks, a batch of "
                    + window.batchSize() + " rows on " + threads + " threads needs " + n);
        }
        return n;
    }

    private interface Block {
        void run(int i);
    }

    /**
     * Runs blocks 1..n-1 on the pool and block 0 here, and waits for all of them (also when one fails, so that
     * no thread still writes a buffer when this returns); rethrows the first block's failure.
     */
    private void run(int n, Block block) {
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[n];
        Bf16Products products = Bf16Products.current();
        for (int i = 1; i < n; i++) {
            int k = i;
            futures[i] = pool.submit(() -> Bf16Products.run(products, () -> {
                block.run(k);
                return null;
            }));
        }
        RuntimeException failure = null;
        try {
            block.run(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (int i = 1; i < n; i++) {
            try {
                futures[i].get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r
                            : new IllegalStateException("row block " + i + " failed", e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) {
                    failure = new IllegalStateException("interrupted while waiting for row block " + i, e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
