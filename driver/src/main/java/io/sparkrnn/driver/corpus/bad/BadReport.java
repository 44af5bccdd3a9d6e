package io.sparkrnn.driver.corpus.bad;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Counts of skipped records by reason and the first {@link #EXAMPLES} of them as {@code file:line: reason}.
 * "First" is by (file, line), so the examples do not depend on which task finished first.
 */
public final class BadReport implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Examples kept. */
    public static final int EXAMPLES = 5;

    /** One skipped record; {@code line} is 1-based within {@code file}, or 0 for a whole file. */
    public record Entry(String file, long line, BadReason reason, String detail) implements Serializable,
            Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = file.compareTo(o.file);
            return c != 0 ? c : Long.compare(line, o.line);
        }

        @Override
        public String toString() {
            return file + (line > 0 ? ":" + line : "") + ": " + reason.text() + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    private final long[] counts = new long[BadReason.values().length];
    private final ArrayList<Entry> examples = new ArrayList<>();

    BadReport copy() {
        BadReport r = new BadReport();
        r.mergeFrom(this);
        return r;
    }

    void add(Entry e) {
        counts[e.reason().ordinal()]++;
        keep(e);
    }

    void mergeFrom(BadReport o) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += o.counts[i];
        }
        for (Entry e : o.examples) {
            keep(e);
        }
    }

    private void keep(Entry e) {
        int at = Collections.binarySearch(examples, e);
        examples.add(at < 0 ? -at - 1 : at, e);
        if (examples.size() > EXAMPLES) {
            examples.remove(examples.size() - 1);
        }
    }

    /** Skipped records in all. */
    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    public long count(BadReason reason) {
        return counts[reason.ordinal()];
    }

    /** The first few skipped records, by (file, line). */
    public List<Entry> examples() {
        return List.copyOf(examples);
    }

    /** Multi-line report: totals by reason, then the examples one a line. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(total()).append(" bad record(s):");
        for (BadReason r : BadReason.values()) {
            if (counts[r.ordinal()] > 0) {
                sb.append(' ').append(r.text()).append('=').append(counts[r.ordinal()]);
            }
        }
        for (Entry e : examples) {
            sb.append("\n  ").append(e);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
