package io.sparkrnn.driver.round;

import java.io.Serializable;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * A partial sum over a run of consecutive partitions: token-weighted deltas (and inner states) in double,
 * counts, and the partitions' recurrent states (none for models that carry none). Partials are always merged
 * in partition order, so the total
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
    final TreeMap<Integer, float[]> states = new TreeMap<>();

    private Partial(int first, int size, Map<String, Integer> innerSizes) {
        this.first = first;
        this.weighted = new double[size];
        this.innerWeighted = innerSizes == null ? null : new LinkedHashMap<>();
        if (innerSizes != null) {
            innerSizes.forEach((k, n) -> innerWeighted.put(k, new double[n]));
        }
    }

    static Partial of(WorkerResult r) {
        Map<String, Integer> sizes = null;
        if (r.innerState() != null) {
            sizes = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : r.innerState().entrySet()) {
                sizes.put(e.getKey(), e.getValue().length);
            }
        }
        Partial p = new Partial(r.partition(), r.delta().length, sizes);
        double w = r.tokens();
        for (int i = 0; i < r.delta().length; i++) {
            p.weighted[i] = w * r.delta()[i];
        }
        if (r.innerState() != null) {
            for (Map.Entry<String, float[]> e : r.innerState().entrySet()) {
                double[] acc = p.innerWeighted.get(e.getKey());
                float[] v = e.getValue();
                for (int i = 0; i < v.length; i++) {
                    acc[i] = w * v[i];
                }
            }
        }
        p.tokens = r.tokens();
        p.lossSum = r.lossSum();
        p.clippedSteps = r.clippedSteps();
        p.skippedSteps = r.skippedSteps();
        p.gradNormSum = r.gradNormSum();
        p.steps = r.steps();
        p.innerSteps = r.innerSteps();
        p.maxSeconds = r.seconds();
        if (r.state() != null) {
            p.states.put(r.partition(), r.state());
        }
        return p;
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
        states.putAll(p.states);
    }
}
