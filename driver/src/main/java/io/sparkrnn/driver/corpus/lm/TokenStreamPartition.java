package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.train.TokenStreamBatcher;

/**
 * A language-model partition: one contiguous token stream, cut into {@code lanes} lanes of {@code steps}-step
 * batches (see {@link TokenStreamBatcher}); the state carries across batches and resets at each epoch.
 */
final class TokenStreamPartition implements SequencePartition {
    private static final long serialVersionUID = 1L;
    private final int[] tokens;
    private final int lanes;
    private final int steps;
    private transient TokenStreamBatcher batcher;

    public TokenStreamPartition(int[] tokens, int lanes, int steps) {
        this.tokens = tokens;
        this.lanes = lanes;
        this.steps = steps;
        batcher();
    }

    private TokenStreamBatcher batcher() {
        if (batcher == null) {
            batcher = new TokenStreamBatcher(tokens, lanes, steps);
        }
        return batcher;
    }

    @Override
    public SequenceBatch batch(long step) {
        return batcher().batch(step);
    }

    @Override
    public boolean startsSequence(long step) {
        return step % batchesPerEpoch() == 0;
    }

    @Override
    public long batchesPerEpoch() {
        return batcher().batchesPerEpoch();
    }

    @Override
    public int batchSize() {
        return lanes;
    }

    /** Occurrences of each id {@code < vocabulary} in this partition's stream. */
    public long[] counts(int vocabulary) {
        long[] c = new long[vocabulary];
        for (int t : tokens) {
            c[t]++;
        }
        return c;
    }

    /** Tokens in this partition. */
    public int length() {
        return tokens.length;
    }
}
