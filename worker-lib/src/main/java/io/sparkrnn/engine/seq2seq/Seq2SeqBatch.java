package io.sparkrnn.engine.seq2seq;

import java.util.List;

/**
 * A minibatch of B (source, target) pairs of token ids, unpadded and without begin or end tokens; the model
 * pads them (right padding, time-major) and adds {@code <bos>} to the decoder inputs and {@code <eos>} to the
 * targets. Ids are checked against a spec by the model.
 */
public record Seq2SeqBatch(List<int[]> sources, List<int[]> targets) {
    public Seq2SeqBatch {
        if (sources == null || targets == null || sources.isEmpty() || sources.size() != targets.size()) {
            throw new IllegalArgumentException("expected as many targets as sources (> 0), found "
                    + (sources == null ? "none" : sources.size()) + " and " + (targets == null ? "none" : targets.size()));
        }
        for (int r = 0; r < sources.size(); r++) {
            if (sources.get(r) == null || sources.get(r).length == 0) {
                throw new IllegalArgumentException("source of row " + r + " is empty; expected at least one token");
            }
            if (targets.get(r) == null || targets.get(r).length == 0) {
                throw new IllegalArgumentException("target of row " + r + " is empty; expected at least one token");
            }
        }
        sources = List.copyOf(sources);
        targets = List.copyOf(targets);
    }

    /** A batch of one pair. */
    public static Seq2SeqBatch of(int[] source, int[] target) {
        return new Seq2SeqBatch(List.of(source), List.of(target));
    }

    public int batchSize() {
        return sources.size();
    }
}
