package io.sparkrnn.engine.model;

import java.util.Arrays;
import java.util.List;

/**
 * A minibatch of B right-padded sequences of (at most) T steps, time-major: element (t, b) is at index
 * {@code t * B + b}. Inputs are token ids or float features; targets are per step (aligned models) or per
 * sequence (pooled models), class ids or float values. Rows shorter than T are padded after their length.
 *
 * <p>A batch may be cut into time windows for truncated BPTT ({@link #window}); {@code last} says whether
 * a window ends its sequences (pooled models compute their loss there).
 */
public final class SequenceBatch {
    private final int steps;
    private final int batch;
    private final int[] tokens;
    private final float[] features;
    private final int featureSize;
    private final int[] lengths;
    private final int[] targets;
    private final float[] values;
    private final int valueSize;
    private final boolean perStep;
    private final boolean last;

    private SequenceBatch(int steps, int batch, int[] tokens, float[] features, int featureSize, int[] lengths,
            int[] targets, boolean perStep, float[] values, int valueSize, boolean last) {
        if (steps <= 0 || batch <= 0) {
            throw new IllegalArgumentException("batch needs T > 0 and B > 0, found T=" + steps + ", B=" + batch);
        }
        if ((tokens == null) == (features == null)) {
            throw new IllegalArgumentException("a batch has either token ids or float features as input");
        }
        if (tokens != null && tokens.length != steps * batch) {
            throw new IllegalArgumentException("expected " + steps * batch + " token ids (T=" + steps + " x B=" + batch
                    + "), found " + tokens.length);
        }
        if (features != null && featureSize <= 0) {
            throw new IllegalArgumentException("featureSize must be positive, found " + featureSize);
        }
        if (features != null && features.length != (long) steps * batch * featureSize) {
            throw new IllegalArgumentException("expected " + (long) steps * batch * featureSize
                    + " feature values (T x B x F), found " + features.length);
        }
        if (lengths == null || lengths.length != batch) {
            throw new IllegalArgumentException("expected " + batch + " lengths, found "
                    + (lengths == null ? "none" : lengths.length));
        }
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 0 || lengths[b] > steps) {
                throw new IllegalArgumentException("length of row " + b + " must be in [0, " + steps + "], found "
                        + lengths[b]);
            }
        }
        if (features != null) {
            for (int i = 0; i < features.length; i++) {
                if (!Float.isFinite(features[i])) {
                    throw new IllegalArgumentException("input feature " + i + " (step " + i / featureSize / batch
                            + ", row " + (i / featureSize) % batch + ") must be finite, found " + features[i]);
                }
            }
        }
        if (values != null) {
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    throw new IllegalArgumentException("target value " + i + " (row " + i / valueSize + ", output "
                            + i % valueSize + ") must be finite, found " + values[i]);
                }
            }
        }
        this.steps = steps;
        this.batch = batch;
        this.tokens = tokens;
        this.features = features;
        this.featureSize = featureSize;
        this.lengths = lengths;
        this.targets = targets;
        this.values = values;
        this.valueSize = valueSize;
        this.perStep = perStep;
        this.last = last;
    }

    /** Token input with per-step class targets (language model, tagger). Arrays are time-major, T*B. */
    public static SequenceBatch alignedTokens(int steps, int batch, int[] tokens, int[] lengths, int[] targets) {
        if (targets == null || targets.length != steps * batch) {
            throw new IllegalArgumentException("expected " + steps * batch + " per-step targets, found "
                    + (targets == null ? "none" : targets.length));
        }
        return new SequenceBatch(steps, batch, tokens, null, 0, lengths, targets, true, null, 0, true);
    }

    /** Token input with one class per sequence (classifier). */
    public static SequenceBatch pooledTokens(int steps, int batch, int[] tokens, int[] lengths, int[] labels) {
        if (labels == null || labels.length != batch) {
            throw new IllegalArgumentException("expected " + batch + " sequence labels, found "
                    + (labels == null ? "none" : labels.length));
        }
        return new SequenceBatch(steps, batch, tokens, null, 0, lengths, labels, false, null, 0, true);
    }

    /** Float feature input {@code [T, B, F]} with {@code outputs} float targets per sequence (regressor). */
    public static SequenceBatch pooledFeatures(int steps, int batch, int featureSize, float[] features,
            int[] lengths, float[] targets, int outputs) {
        if (targets == null || outputs <= 0 || targets.length != batch * outputs) {
            throw new IllegalArgumentException("expected " + batch * outputs + " target values (B x outputs), found "
                    + (targets == null ? "none" : targets.length));
        }
        return new SequenceBatch(steps, batch, null, features, featureSize, lengths, null, false, targets, outputs, true);
    }

    /**
     * Pads token sequences (one per row) to the longest, time-major. {@code targets} holds per-step tags of the
     * same lengths, padded with {@code ignoreIndex}.
     */
    public static SequenceBatch padAligned(List<int[]> inputs, List<int[]> targets, int paddingId, int ignoreIndex) {
        int b = inputs.size();
        if (b == 0 || targets.size() != b) {
            throw new IllegalArgumentException("expected as many target rows as input rows (> 0), found "
                    + inputs.size() + " and " + targets.size());
        }
        int t = maxLength(inputs);
        int[] tok = new int[t * b];
        int[] tgt = new int[t * b];
        Arrays.fill(tok, Math.max(paddingId, 0));
        Arrays.fill(tgt, ignoreIndex);
        int[] len = new int[b];
        for (int r = 0; r < b; r++) {
            int[] in = inputs.get(r);
            int[] out = targets.get(r);
            if (in.length != out.length) {
                throw new IllegalArgumentException("row " + r + ": " + in.length + " inputs but " + out.length
                        + " targets");
            }
            len[r] = in.length;
            for (int s = 0; s < in.length; s++) {
                tok[s * b + r] = in[s];
                tgt[s * b + r] = out[s];
            }
        }
        return alignedTokens(t, b, tok, len, tgt);
    }

    /** Pads token sequences to the longest, with one label per sequence. */
    public static SequenceBatch padPooled(List<int[]> inputs, int[] labels, int paddingId) {
        int b = inputs.size();
        int t = maxLength(inputs);
        int[] tok = new int[t * b];
        Arrays.fill(tok, Math.max(paddingId, 0));
        int[] len = new int[b];
        for (int r = 0; r < b; r++) {
            int[] in = inputs.get(r);
            len[r] = in.length;
            for (int s = 0; s < in.length; s++) {
                tok[s * b + r] = in[s];
            }
        }
        return pooledTokens(t, b, tok, len, labels);
    }

    private static int maxLength(List<int[]> rows) {
        int t = 0;
        for (int r = 0; r < rows.size(); r++) {
            if (rows.get(r).length == 0) {
                throw new IllegalArgumentException("row " + r + " is empty; every sequence needs at least one step");
            }
            t = Math.max(t, rows.get(r).length);
        }
        return t;
    }

    /**
     * Steps {@code [from, to)} as a batch of its own; lengths are clamped to the window and
     * {@code last} is set when the window reaches the end of the batch.
     */
    public SequenceBatch window(int from, int to) {
        if (from < 0 || to > steps || from >= to) {
            throw new IllegalArgumentException("window [" + from + ", " + to + ") outside [0, " + steps + ")");
        }
        if (from == 0 && to == steps) {
            return this;
        }
        int w = to - from;
        int[] len = new int[batch];
        for (int b = 0; b < batch; b++) {
            len[b] = Math.max(0, Math.min(lengths[b] - from, w));
        }
        int[] tok = tokens == null ? null : Arrays.copyOfRange(tokens, from * batch, to * batch);
        float[] feat = features == null ? null
                : Arrays.copyOfRange(features, from * batch * featureSize, to * batch * featureSize);
        int[] tgt = targets == null ? null : perStep ? Arrays.copyOfRange(targets, from * batch, to * batch) : targets;
        return new SequenceBatch(w, batch, tok, feat, featureSize, len, tgt, perStep, values, valueSize, to == steps);
    }

    /**
     * Rows {@code [from, to)} as a batch of their own (a row block of a batch-parallel step), with the same
     * steps and {@code last}; arrays are copied.
     */
    public SequenceBatch rows(int from, int to) {
        if (from < 0 || to > batch || from >= to) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") outside [0, " + batch + ")");
        }
        if (from == 0 && to == batch) {
            return this;
        }
        int n = to - from;
        int f = featureSize;
        int[] tok = tokens == null ? null : new int[steps * n];
        float[] feat = features == null ? null : new float[steps * n * f];
        int[] tgt = targets == null ? null : perStep ? new int[steps * n] : Arrays.copyOfRange(targets, from, to);
        for (int s = 0; s < steps; s++) {
            if (tok != null) {
                System.arraycopy(tokens, s * batch + from, tok, s * n, n);
            }
            if (feat != null) {
                System.arraycopy(features, (s * batch + from) * f, feat, s * n * f, n * f);
            }
            if (tgt != null && perStep) {
                System.arraycopy(targets, s * batch + from, tgt, s * n, n);
            }
        }
        float[] val = values == null ? null : Arrays.copyOfRange(values, from * valueSize, to * valueSize);
        return new SequenceBatch(steps, n, tok, feat, f, Arrays.copyOfRange(lengths, from, to), tgt, perStep, val,
                valueSize, last);
    }

    /** Whether the class targets are per step (aligned) rather than per sequence. */
    public boolean perStepTargets() {
        return perStep;
    }

    public int steps() {
        return steps;
    }

    public int batchSize() {
        return batch;
    }

    /** Token ids, time-major [T*B], or null for feature input. */
    public int[] tokens() {
        return tokens;
    }

    /** Features, time-major [T*B*F], or null for token input. */
    public float[] features() {
        return features;
    }

    public int featureSize() {
        return featureSize;
    }

    public int[] lengths() {
        return lengths;
    }

    /** Class targets: per step [T*B] (aligned) or per sequence [B] (pooled); null for regression. */
    public int[] targets() {
        return targets;
    }

    /** Regression targets [B*outputs], or null. */
    public float[] values() {
        return values;
    }

    public int valueSize() {
        return valueSize;
    }

    /** Whether this window ends its sequences. */
    public boolean isLast() {
        return last;
    }

    /** Whether every row is valid at every step (no padding). */
    public boolean isFull() {
        for (int len : lengths) {
            if (len != steps) {
                return false;
            }
        }
        return true;
    }
}
