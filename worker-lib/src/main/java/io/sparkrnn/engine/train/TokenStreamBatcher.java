package io.sparkrnn.engine.train;

import io.sparkrnn.engine.model.SequenceBatch;
import java.util.Arrays;

/**
 * Language-model batches from one long token stream: the stream is cut into B contiguous lanes, and batch
 * i holds steps [i*T, (i+1)*T) of every lane, with inputs {@code x[s]} and targets {@code x[s+1]}. Because
 * lane b of batch i+1 continues lane b of batch i, the hidden state carries across batches; after the last
 * full batch the stream starts over (a new epoch) and {@link #startsEpoch()} tells the caller to reset the state.
 */
public final class TokenStreamBatcher {
    private final int[] stream;
    private final int lanes;
    private final int steps;
    private final int laneLength;
    private final int batchesPerEpoch;
    private int next;

    public TokenStreamBatcher(int[] stream, int lanes, int steps) {
        if (lanes <= 0 || steps <= 0) {
            throw new IllegalArgumentException("lanes and steps must be positive, found lanes=" + lanes + ", steps="
                    + steps);
        }
        this.stream = stream;
        this.lanes = lanes;
        this.steps = steps;
        this.laneLength = (stream.length - 1) / lanes;
        this.batchesPerEpoch = laneLength / steps;
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException("stream of " + stream.length + " tokens is too short for " + lanes
                    + " lanes of " + steps + " steps (needs at least " + (lanes * steps + 1) + ")");
        }
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Whether the next batch starts a new pass over the stream (state should be reset). */
    public boolean startsEpoch() {
        return next % batchesPerEpoch == 0;
    }

    /** The next batch, {@code [T, B]} time-major. */
    public SequenceBatch next() {
        return batch(next++);
    }

    /** The batch at position {@code index} of the stream (modulo one epoch), without moving the cursor. */
    public SequenceBatch batch(long index) {
        int i = (int) (index % batchesPerEpoch);
        int[] in = new int[steps * lanes];
        int[] out = new int[steps * lanes];
        for (int b = 0; b < lanes; b++) {
            int base = b * laneLength + i * steps;
            for (int s = 0; s < steps; s++) {
                in[s * lanes + b] = stream[base + s];
                out[s * lanes + b] = stream[base + s + 1];
            }
        }
        int[] len = new int[lanes];
        Arrays.fill(len, steps);
        return SequenceBatch.alignedTokens(steps, lanes, in, len, out);
    }
}
