package io.sparkrnn.driver.task;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A confusion matrix {@code counts[truth][predicted]} and the metrics read from it: accuracy, per-class
 * precision {@code tp / (tp + fp)}, recall {@code tp / (tp + fn)}, F1 {@code 2PR / (P + R)} (0 when P + R = 0),
 * and macro F1 (the mean of F1 over classes that occur in the truth or the predictions). Examples whose true class
 * the model does not have (a label unseen in training) have no row; they are counted apart and are errors in the
 * accuracy.
 */
public final class ClassCounts implements Serializable {
    private static final long serialVersionUID = 1L;
    private final long[][] counts;
    private long unknownTruth;

    public ClassCounts(int classes) {
        counts = new long[classes][classes];
    }

    public void add(int truth, int predicted) {
        counts[truth][predicted]++;
    }

    /** One example whose true class is none of the model's: wrong whatever it predicted. */
    public void addUnknownTruth() {
        unknownTruth++;
    }

    public long unknownTruth() {
        return unknownTruth;
    }

    public ClassCounts merge(ClassCounts o) {
        unknownTruth += o.unknownTruth;
        for (int i = 0; i < counts.length; i++) {
            for (int j = 0; j < counts.length; j++) {
                counts[i][j] += o.counts[i][j];
            }
        }
        return this;
    }

    public long total() {
        long n = 0;
        for (long[] row : counts) {
            for (long v : row) {
                n += v;
            }
        }
        return n;
    }

    public double accuracy() {
        long right = 0;
        for (int i = 0; i < counts.length; i++) {
            right += counts[i][i];
        }
        long n = total() + unknownTruth;
        return n == 0 ? Double.NaN : (double) right / n;
    }

    public long support(int c) {
        long s = 0;
        for (long v : counts[c]) {
            s += v;
        }
        return s;
    }

    public long predicted(int c) {
        long s = 0;
        for (long[] row : counts) {
            s += row[c];
        }
        return s;
    }

    public double precision(int c) {
        long p = predicted(c);
        return p == 0 ? 0 : (double) counts[c][c] / p;
    }

    public double recall(int c) {
        long s = support(c);
        return s == 0 ? 0 : (double) counts[c][c] / s;
    }

    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double macroF1() {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < counts.length; c++) {
            if (support(c) > 0 || predicted(c) > 0) {
                sum += f1(c);
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Share of the truth held by its most frequent class: the accuracy of always guessing it. */
    public double majorityShare() {
        long best = 0;
        for (int c = 0; c < counts.length; c++) {
            best = Math.max(best, support(c));
        }
        long n = total();
        return n == 0 ? Double.NaN : (double) best / n;
    }

    /**
     * Adds {@code accuracy}, {@code macro_f1}, {@code count}, {@code per_class} (name: precision, recall, f1,
     * support; classes that occur), {@code confused_pairs} (the {@link #CONFUSED_PAIRS} largest off-diagonal
     * counts: truth, predicted, count, largest first) and, when asked, {@code unknown_label_count} (examples whose
     * label the model lacks, in {@code count}) and {@code confusion} ({@code labels} and
     * {@code matrix[truth][predicted]}).
     */
    public void toJson(ObjectNode n, String prefix, List<String> names, boolean confusion) {
        n.put(prefix + "accuracy", accuracy());
        n.put(prefix + "macro_f1", macroF1());
        n.put(prefix + "count", total() + unknownTruth);
        if (confusion) {
            n.put(prefix + "unknown_label_count", unknownTruth);
        }
        ObjectNode per = n.putObject(prefix + "per_class");
        for (int c = 0; c < counts.length; c++) {
            if (support(c) == 0 && predicted(c) == 0) {
                continue;
            }
            ObjectNode o = per.putObject(names.get(c));
            o.put("precision", precision(c));
            o.put("recall", recall(c));
            o.put("f1", f1(c));
            o.put("support", support(c));
        }
        ArrayNode pairs = n.putArray(prefix + "confused_pairs");
        for (int[] p : confusedPairs(CONFUSED_PAIRS)) {
            ObjectNode o = pairs.addObject();
            o.put("truth", names.get(p[0]));
            o.put("predicted", names.get(p[1]));
            o.put("count", counts[p[0]][p[1]]);
        }
        if (confusion) {
            ObjectNode m = n.putObject(prefix + "confusion");
            ArrayNode labels = m.putArray("labels");
            names.forEach(labels::add);
            ArrayNode rows = m.putArray("matrix");
            for (long[] row : counts) {
                ArrayNode r = rows.addArray();
                for (long v : row) {
                    r.add(v);
                }
            }
        }
    }

    /** Confused pairs {@link #toJson} lists. */
    public static final int CONFUSED_PAIRS = 10;

    /**
     * The {@code k} (truth, predicted) pairs of different classes with the largest non-zero counts, largest first,
     * ties by truth then predicted id.
     */
    public List<int[]> confusedPairs(int k) {
        List<int[]> all = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            for (int j = 0; j < counts.length; j++) {
                if (i != j && counts[i][j] > 0) {
                    all.add(new int[] {i, j});
                }
            }
        }
        all.sort(Comparator.<int[]>comparingLong(p -> -counts[p[0]][p[1]]).thenComparingInt(p -> p[0])
                .thenComparingInt(p -> p[1]));
        return all.subList(0, Math.min(k, all.size()));
    }
}
