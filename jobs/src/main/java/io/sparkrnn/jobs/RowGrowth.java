package io.sparkrnn.jobs;

import io.sparkrnn.engine.param.ParamLayout;
import java.util.Arrays;
import java.util.List;

/**
 * How a parent model's flat vectors (weights, optimizer state) map into a grown model's layout when a warm start
 * extends a vocabulary: every tensor of the grown layout has the parent's shape, or the same shape with more rows
 * (first dimension: embedding rows, output rows); its first rows are the parent's, element for element, and the
 * rest come from a filler (the fresh initialisation for weights, zeros for optimizer state). Tensors are row-major
 * in the flat vector, so a tensor's first rows are a prefix of its range.
 */
final class RowGrowth {
    private final ParamLayout from;
    private final ParamLayout to;

    /** @throws IllegalArgumentException naming the tensor whose shape did not just gain rows */
    RowGrowth(ParamLayout from, ParamLayout to) {
        List<String> bad = to.entries().stream().filter(e -> !fits(from, e)).map(e -> e.name()
                + (from.contains(e.name()) ? " " + Arrays.toString(from.entry(e.name()).shape()) + " -> "
                + Arrays.toString(e.shape()) : " (not in the parent)")).toList();
        if (!bad.isEmpty() || from.entries().size() != to.entries().size()) {
            throw new IllegalArgumentException("the model differs from the parent's in more than rows of its "
                    + "vocabulary: " + (bad.isEmpty() ? from.entries().size() + " tensors, now "
                    + to.entries().size() : String.join(", ", bad)));
        }
        this.from = from;
        this.to = to;
    }

    private static boolean fits(ParamLayout from, ParamLayout.Entry e) {
        if (!from.contains(e.name())) {
            return false;
        }
        long[] was = from.entry(e.name()).shape();
        long[] now = e.shape();
        return was.length == now.length && was.length > 0 && now[0] >= was[0]
                && Arrays.equals(Arrays.copyOfRange(was, 1, was.length), Arrays.copyOfRange(now, 1, now.length));
    }

    /** {@code v} (in the parent's layout) in the grown layout; elements beyond the parent's from {@code filler}. */
    float[] grow(float[] v, float[] filler) {
        float[] out = filler == null ? new float[(int) to.size()] : filler.clone();
        for (ParamLayout.Entry e : to.entries()) {
            ParamLayout.Entry old = from.entry(e.name());
            System.arraycopy(v, (int) old.offset(), out, (int) e.offset(), (int) old.length());
        }
        return out;
    }

    /** As {@link #grow(float[], float[])} for double vectors (the outer momentum), zeros beyond the parent's. */
    double[] grow(double[] v) {
        double[] out = new double[(int) to.size()];
        for (ParamLayout.Entry e : to.entries()) {
            ParamLayout.Entry old = from.entry(e.name());
            System.arraycopy(v, (int) old.offset(), out, (int) e.offset(), (int) old.length());
        }
        return out;
    }
}
