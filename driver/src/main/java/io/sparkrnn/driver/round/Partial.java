package io.sparkrnn.driver.round;

import java.io.Serializable;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * A partial sum over a run of consecutive partitions: token-weighted deltas (and inner states) in double,
 * counts, the partitions' recurrent states (none for models that carry none), their kept inner states (policy
 * KEEP) and the partitions whose result was stale. Partials are always merged in partition order, so the total
 * is the same whatever order the tasks finish in.
 */
final class Partial implements Serializable {
    private static final long serialVersionUID = 1L;
    final int first;
    final double[] weighted;
    final Map<String, double[]> innerWeighted;
    long tokens;
    double lossSum;
    int clippedSteps;
    int skippedSteps;
    double gradNormSum;
    int steps;
    long innerSteps;
    double maxSeconds;
    double maxLoadSeconds;
    double maxExtractSeconds;
    final TreeMap<Integer, float[]> states = new TreeMap<>();
    final TreeMap<Integer, KeptState> kept = new TreeMap<>();
    final TreeSet<Integer> stale = new TreeSet<>();

    private Partial(int first, int size, Map<String, Integer> innerSizes) {
        this.first = first;
        this.weighted = new double[size];
        this.innerWeighted = innerSizes == null ? null : new LinkedHashMap<>();
        if (innerSizes != null) {
            innerSizes.forEach((k, n) -> innerWeighted.put(k, new double[n]));
        }
    }

    static Partial of(WorkerResult r) {
        Partial p = shapedLike(r);
        p.add(r);
        return p;
    }

    /**
     * The token-weighted sum of the tasks' results in partition order: the same sums, bit for bit, as
     * {@link #mergeOrdered} of each result's {@link #of} (0 + w_0 d_0 + w_1 d_1 + ..., in double), without a
     * partial sum per task.
     */
    static Partial sumOrdered(Collection<WorkerResult> results) {
        List<WorkerResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingInt(WorkerResult::partition));
        Partial total = shapedLike(sorted.get(0));
        for (WorkerResult r : sorted) {
            total.add(r);
        }
        return total;
    }

    /**
     * Sums a round's results as they arrive, to the same sums as {@link #sumOrdered} bit for bit: a result is added
     * once every lower partition's is, except that partitions 0 and 1 are added in whichever order they come (0 + a
     * + b and 0 + b + a are the same doubles: IEEE addition is commutative and 0 + a is a). So with two partitions
     * the first result is added while the other task still trains.
     */
    static final class InOrder {
        private final WorkerResult[] waiting;
        private Partial total;
        private int next;
        private boolean oneFirst;

        InOrder(int partitions) {
            this.waiting = new WorkerResult[partitions];
        }

        /** Takes partition {@code r.partition()}'s result, adding what can be added now. */
        void offer(WorkerResult r) {
            if (waiting[r.partition()] != null || r.partition() < next) {
                throw new IllegalStateException("a second result of partition " + r.partition() + " in one round");
            }
            waiting[r.partition()] = r;
            if (total == null) {
                Partial shape = shapedLike(r);
                total = new Partial(0, r.delta().length, shape.innerWeighted == null ? null : sizes(shape));
            }
            if (next == 0 && waiting.length > 1 && waiting[0] == null && waiting[1] != null && !oneFirst) {
                total.add(waiting[1]);
                oneFirst = true;
            }
            while (next < waiting.length && waiting[next] != null) {
                if (!(next == 1 && oneFirst)) {
                    total.add(waiting[next]);
                }
                waiting[next] = null;
                next++;
            }
        }

        /** The sum, once every partition's result is in. */
        Partial total() {
            if (next != waiting.length) {
                throw new IllegalStateException((waiting.length - next) + " partition(s) from partition " + next
                        + " on have not returned a result");
            }
            return total;
        }

        private static Map<String, Integer> sizes(Partial p) {
            Map<String, Integer> m = new LinkedHashMap<>();
            p.innerWeighted.forEach((k, v) -> m.put(k, v.length));
            return m;
        }
    }

    private static Partial shapedLike(WorkerResult r) {
        Map<String, Integer> sizes = null;
        if (r.innerState() != null) {
            sizes = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : r.innerState().entrySet()) {
                sizes.put(e.getKey(), e.getValue().length);
            }
        }
        return new Partial(r.partition(), r.delta().length, sizes);
    }

    /** Adds one task's result, weighted by its tokens. */
    private void add(WorkerResult r) {
        double w = r.tokens();
        float[] d = r.delta();
        if (d.length != weighted.length) {
            throw new IllegalStateException("partition " + r.partition() + " returned a delta of " + d.length
                    + " values, the others " + weighted.length);
        }
        for (int i = 0; i < d.length; i++) {
            weighted[i] += w * d[i];
        }
        if (r.innerState() != null) {
            for (Map.Entry<String, float[]> e : r.innerState().entrySet()) {
                double[] acc = innerWeighted.get(e.getKey());
                float[] v = e.getValue();
                for (int i = 0; i < v.length; i++) {
                    acc[i] += w * v[i];
                }
            }
        }
        tokens += r.tokens();
        lossSum += r.lossSum();
        clippedSteps += r.clippedSteps();
        skippedSteps += r.skippedSteps();
        gradNormSum += r.gradNormSum();
        steps += r.steps();
        innerSteps = Math.max(innerSteps, r.innerSteps());
        maxSeconds = Math.max(maxSeconds, r.seconds());
        maxLoadSeconds = Math.max(maxLoadSeconds, r.loadSeconds());
        maxExtractSeconds = Math.max(maxExtractSeconds, r.extractSeconds());
        if (r.state() != null) {
            states.put(r.partition(), r.state());
        }
        if (r.kept() != null) {
            kept.put(r.partition(), r.kept());
        }
        if (r.stale()) {
            stale.add(r.partition());
        }
    }

    /** Sums partials in partition order (by their first partition). */
    static Partial mergeOrdered(Collection<Partial> parts) {
        List<Partial> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparingInt(p -> p.first));
        Partial head = sorted.get(0);
        Map<String, Integer> sizes = null;
        if (head.innerWeighted != null) {
            sizes = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : head.innerWeighted.entrySet()) {
                sizes.put(e.getKey(), e.getValue().length);
            }
        }
        Partial total = new Partial(head.first, head.weighted.length, sizes);
        for (Partial p : sorted) {
            total.add(p);
        }
        return total;
    }

    private void add(Partial p) {
        for (int i = 0; i < weighted.length; i++) {
            weighted[i] += p.weighted[i];
        }
        if (p.innerWeighted != null) {
            for (Map.Entry<String, double[]> e : p.innerWeighted.entrySet()) {
                double[] acc = innerWeighted.get(e.getKey());
                double[] v = e.getValue();
                for (int i = 0; i < v.length; i++) {
                    acc[i] += v[i];
                }
            }
        }
        tokens += p.tokens;
        lossSum += p.lossSum;
        clippedSteps += p.clippedSteps;
        skippedSteps += p.skippedSteps;
        gradNormSum += p.gradNormSum;
        steps += p.steps;
        innerSteps = Math.max(innerSteps, p.innerSteps);
        maxSeconds = Math.max(maxSeconds, p.maxSeconds);
        maxLoadSeconds = Math.max(maxLoadSeconds, p.maxLoadSeconds);
        maxExtractSeconds = Math.max(maxExtractSeconds, p.maxExtractSeconds);
        states.putAll(p.states);
        kept.putAll(p.kept);
        stale.addAll(p.stale);
    }
}
