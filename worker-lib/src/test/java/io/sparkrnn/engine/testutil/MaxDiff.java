package io.sparkrnn.engine.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.engine.model.SequenceSpec;

/** The max abs difference between the engine's outputs and another runtime's (ONNX Runtime, torch) as JSON. */
public final class MaxDiff {
    private MaxDiff() {
    }

    /**
     * {@code ours} as the engine's predict gives it, flat: {@code [T*B, C]} (row t*B+r) for an aligned model,
     * {@code [B, C]} for a pooled one; {@code theirs} batch-major, {@code [B][T][C]} or {@code [B][C]}. Only each
     * row's first {@code lengths[r]} steps count; B = {@code lengths.length}, C = the spec's output size.
     */
    public static double outputs(SequenceSpec spec, float[] ours, JsonNode theirs, int[] lengths) {
        int b = lengths.length;
        int c = spec.outputSize();
        double max = 0;
        for (int r = 0; r < b; r++) {
            if (spec.topology() == SequenceSpec.Topology.ALIGNED) {
                for (int t = 0; t < lengths[r]; t++) {
                    for (int k = 0; k < c; k++) {
                        max = Math.max(max, Math.abs(ours[(t * b + r) * c + k] - theirs.get(r).get(t).get(k).asDouble()));
                    }
                }
            } else {
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, Math.abs(ours[r * c + k] - theirs.get(r).get(k).asDouble()));
                }
            }
        }
        return max;
    }

    /** Seq2seq logits {@code [B][T][V]} on both sides, over each row's steps in {@code ours}. */
    public static double logits(double[][][] ours, JsonNode theirs) {
        double max = 0;
        for (int r = 0; r < ours.length; r++) {
            for (int t = 0; t < ours[r].length; t++) {
                for (int k = 0; k < ours[r][t].length; k++) {
                    max = Math.max(max, Math.abs(ours[r][t][k] - theirs.get(r).get(t).get(k).asDouble()));
                }
            }
        }
        return max;
    }
}
