package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartialTest {
    static final int SIZE = 1000;

    /** A task result with random float deltas and Adam-like state, so that the order of the sums shows in the bits. */
    static WorkerResult result(int partition, Random r) {
        float[] delta = new float[SIZE];
        float[] m = new float[SIZE];
        float[] v = new float[SIZE];
        for (int i = 0; i < SIZE; i++) {
            delta[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
            m[i] = (float) r.nextGaussian();
            v[i] = (float) Math.abs(r.nextGaussian());
        }
        Map<String, float[]> inner = new LinkedHashMap<>();
        inner.put("exp_avg", m);
        inner.put("exp_avg_sq", v);
        return new WorkerResult(partition, delta, 1000 + r.nextInt(5000), r.nextDouble() * 1e4, r.nextInt(3),
                r.nextInt(2), r.nextDouble(), 25, new float[] {partition, 0.5f}, inner, 75, null, false,
                r.nextDouble(), r.nextDouble() / 100, r.nextDouble() / 100);
    }

    /**
     * The driver's one-level sum (one accumulator, tasks added in partition order) is the same, bit for bit, as
     * the ordered merge of one partial per task that the tree aggregation uses, whatever order the results
     * arrive in.
     */
    @Test
    void sumOfResultsEqualsTheOrderedMergeOfPartialsBitForBit() {
        Random r = new Random(7);
        List<WorkerResult> results = new ArrayList<>();
        for (int p = 0; p < 5; p++) {
            results.add(result(p, r));
        }
        List<Partial> partials = new ArrayList<>();
        for (WorkerResult w : results) {
            partials.add(Partial.of(w));
        }
        Partial merged = Partial.mergeOrdered(partials);
        for (int shuffle = 0; shuffle < 4; shuffle++) {
            List<WorkerResult> arrived = new ArrayList<>(results);
            Collections.shuffle(arrived, new Random(shuffle));
            Partial sum = Partial.sumOrdered(arrived);
            assertArrayEquals(merged.weighted, sum.weighted);
            assertEquals(merged.innerWeighted.keySet(), sum.innerWeighted.keySet());
            for (String k : merged.innerWeighted.keySet()) {
                assertArrayEquals(merged.innerWeighted.get(k), sum.innerWeighted.get(k), k);
            }
            assertEquals(merged.tokens, sum.tokens);
            assertEquals(merged.lossSum, sum.lossSum, 0.0);
            assertEquals(merged.gradNormSum, sum.gradNormSum, 0.0);
            assertEquals(merged.clippedSteps, sum.clippedSteps);
            assertEquals(merged.skippedSteps, sum.skippedSteps);
            assertEquals(merged.steps, sum.steps);
            assertEquals(merged.maxSeconds, sum.maxSeconds, 0.0);
            assertEquals(List.of(0, 1, 2, 3, 4), new ArrayList<>(sum.states.keySet()));
        }
        // the reference value of one element: the weighted sum in partition order, in double
        double expect = 0;
        for (WorkerResult w : results) {
            expect += (double) w.tokens() * w.delta()[17];
        }
        assertEquals(expect, merged.weighted[17], 0.0);
    }

    /**
     * Results summed as they arrive (resident tasks) give sumOrdered's sums bit for bit in every arrival order of 2
     * and of 4 partitions; the sum is refused before every partition is in, and a second result of one partition.
     */
    @Test
    void summingOnArrivalEqualsTheOrderedSumInEveryOrder() {
        Random r = new Random(11);
        for (int n : new int[] {2, 4}) {
            List<WorkerResult> results = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                results.add(result(p, r));
            }
            Partial ordered = Partial.sumOrdered(results);
            for (List<Integer> order : permutations(n)) {
                Partial.InOrder sum = new Partial.InOrder(n);
                for (int k = 0; k < n; k++) {
                    if (k > 0) {
                        assertThrows(IllegalStateException.class, sum::total);
                    }
                    sum.offer(results.get(order.get(k)));
                }
                Partial total = sum.total();
                assertArrayEquals(ordered.weighted, total.weighted, order.toString());
                for (String k : ordered.innerWeighted.keySet()) {
                    assertArrayEquals(ordered.innerWeighted.get(k), total.innerWeighted.get(k), k + " " + order);
                }
                assertEquals(ordered.lossSum, total.lossSum, 0.0, order.toString());
                assertEquals(ordered.gradNormSum, total.gradNormSum, 0.0, order.toString());
                assertEquals(ordered.tokens, total.tokens);
                assertEquals(ordered.maxLoadSeconds, total.maxLoadSeconds, 0.0);
                assertEquals(ordered.states.keySet(), total.states.keySet());
                assertEquals(0, total.first);
            }
            Partial.InOrder twice = new Partial.InOrder(n);
            twice.offer(results.get(1));
            assertThrows(IllegalStateException.class, () -> twice.offer(results.get(1)));
        }
    }

    private static List<List<Integer>> permutations(int n) {
        List<List<Integer>> out = new ArrayList<>();
        permute(new ArrayList<>(), n, out);
        return out;
    }

    private static void permute(List<Integer> prefix, int n, List<List<Integer>> out) {
        if (prefix.size() == n) {
            out.add(new ArrayList<>(prefix));
            return;
        }
        for (int i = 0; i < n; i++) {
            if (!prefix.contains(i)) {
                prefix.add(i);
                permute(prefix, n, out);
                prefix.remove(prefix.size() - 1);
            }
        }
    }

    @Test
    void aDeltaOfAnotherLengthIsAnError() {
        Random r = new Random(1);
        WorkerResult a = result(0, r);
        WorkerResult b = result(1, r);
        WorkerResult shorter = new WorkerResult(1, new float[SIZE - 1], b.tokens(), b.lossSum(), 0, 0, 0, 25,
                b.state(), b.innerState(), 75, null, false, 0.1, 0.01, 0.01);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Partial.sumOrdered(List.of(a, shorter)));
        assertTrue(e.getMessage().contains("partition 1 returned a delta of 999 values, the others 1000"),
                e.getMessage());
        assertEquals(2, Partial.sumOrdered(List.of(b, a)).states.size());
    }
}
