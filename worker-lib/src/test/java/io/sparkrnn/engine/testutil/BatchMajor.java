package io.sparkrnn.engine.testutil;

import io.sparkrnn.engine.model.SequenceBatch;

/** A batch's inputs in the layout the exported models (ONNX, torch) take: batch-major. */
public final class BatchMajor {
    private BatchMajor() {
    }

    /** The batch's token ids {@code [B][T]}; the batch holds them time-major, row t*B+r. */
    public static long[][] tokens(SequenceBatch batch) {
        int b = batch.batchSize();
        int t = batch.steps();
        long[][] tokens = new long[b][t];
        for (int r = 0; r < b; r++) {
            for (int s = 0; s < t; s++) {
                tokens[r][s] = batch.tokens()[s * b + r];
            }
        }
        return tokens;
    }
}
