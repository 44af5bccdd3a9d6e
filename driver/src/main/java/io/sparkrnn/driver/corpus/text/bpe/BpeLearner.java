package io.sparkrnn.driver.corpus.text.bpe;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Learns byte-pair encoding's merges (Sennrich et al. 2016) from words: the words are counted on Spark, the merges
 * learned on the driver from the counts. Each step merges the most frequent pair of adjacent symbols (counted over
 * the words, each word weighted by its count); of pairs equally frequent, the first by the left symbol's string, then
 * the right's, so that the merges depend on the counts only, not on the partitioning. Pair counts are kept up to
 * date incrementally: a merge touches only the words that hold its pair. Learning stops after {@code merges} merges,
 * or earlier when no pair occurs twice.
 */
public final class BpeLearner {
    private BpeLearner() {
    }

    /** The merges learned from the words of {@code words} (one element a word). */
    public static Bpe learn(JavaRDD<String> words, int merges) {
        return learnCounts(words.mapToPair(w -> new Tuple2<>(w, 1L)), merges);
    }

    /** The merges learned from (word, count) pairs, a word in any number of pairs (their counts are summed). */
    public static Bpe learnCounts(JavaPairRDD<String, Long> wordCounts, int merges) {
        Map<String, Long> counts = wordCounts.filter(w -> !w._1().isEmpty())
                .reduceByKey(Long::sum).collectAsMap();
        return learn(counts, merges);
    }

    /** A pair of adjacent symbols (their ids) and its count when it was queued. */
    private record Queued(long pair, long count) {
    }

    /** The merges learned from words and their counts. */
    public static Bpe learn(Map<String, Long> wordCounts, int merges) {
        if (merges < 0) {
            throw new IllegalArgumentException("the number of merges is at least 0, found " + merges);
        }
        Map<String, Integer> ids = new HashMap<>();
        List<String> symbols = new ArrayList<>();
        List<int[]> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (Map.Entry<String, Long> e : new TreeMap<>(wordCounts).entrySet()) {
            List<String> s = Bpe.symbols(e.getKey());
            int[] w = new int[s.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = ids.computeIfAbsent(s.get(i), k -> {
                    symbols.add(k);
                    return symbols.size() - 1;
                });
            }
            words.add(w);
            counts.add(e.getValue());
        }
        Map<Long, Long> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> where = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            count(words.get(i), counts.get(i), i, pairCounts, where);
        }
        Comparator<Queued> order = Comparator.comparingLong((Queued q) -> -q.count())
                .thenComparing(q -> symbols.get(left(q.pair())))
                .thenComparing(q -> symbols.get(right(q.pair())));
        PriorityQueue<Queued> queue = new PriorityQueue<>(order);
        pairCounts.forEach((p, c) -> queue.add(new Queued(p, c)));
        List<String[]> learned = new ArrayList<>();
        while (learned.size() < merges && !queue.isEmpty()) {
            Queued top = queue.poll();
            Long now = pairCounts.get(top.pair());
            if (now == null || now != top.count()) {
                continue;
            }
            if (top.count() < 2) {
                break;
            }
            int a = left(top.pair());
            int b = right(top.pair());
            String joined = symbols.get(a) + symbols.get(b);
            learned.add(new String[] {symbols.get(a), symbols.get(b)});
            int merged = ids.computeIfAbsent(joined, k -> {
                symbols.add(k);
                return symbols.size() - 1;
            });
            Set<Long> changed = new HashSet<>();
            for (int i : new ArrayList<>(where.getOrDefault(top.pair(), Set.of()))) {
                int[] w = words.get(i);
                long c = counts.get(i);
                uncount(w, c, i, pairCounts, where, changed);
                int[] m = merge(w, a, b, merged);
                words.set(i, m);
                count(m, c, i, pairCounts, where);
                pairsOf(m, changed);
            }
            for (long p : changed) {
                Long c = pairCounts.get(p);
                if (c != null) {
                    queue.add(new Queued(p, c));
                }
            }
        }
        return new Bpe(learned);
    }

    /**
     * A pair of symbol ids as one long, multiplied by an odd constant (invertible modulo 2^64) so that
     * {@link Long#hashCode} spreads the pairs: the plain {@code a << 32 | b} hashes to {@code a ^ b}, and pairs of
     * small ids collide by the thousand.
     */
    private static long pair(int a, int b) {
        return (((long) a << 32) | (b & 0xffffffffL)) * MIX;
    }

    private static final long MIX = 0x9E3779B97F4A7C15L;
    private static final long UNMIX = inverse(MIX);

    /** The inverse of an odd number modulo 2^64 (Newton's iteration, each step doubling the correct bits). */
    private static long inverse(long odd) {
        long x = odd;
        for (int i = 0; i < 5; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }

    private static int left(long pair) {
        return (int) ((pair * UNMIX) >>> 32);
    }

    private static int right(long pair) {
        return (int) (pair * UNMIX);
    }

    private static void count(int[] w, long c, int word, Map<Long, Long> pairCounts, Map<Long, Set<Integer>> where) {
        for (int j = 0; j + 1 < w.length; j++) {
            long p = pair(w[j], w[j + 1]);
            pairCounts.merge(p, c, Long::sum);
            where.computeIfAbsent(p, k -> new HashSet<>()).add(word);
        }
    }

    private static void uncount(int[] w, long c, int word, Map<Long, Long> pairCounts, Map<Long, Set<Integer>> where,
            Set<Long> changed) {
        for (int j = 0; j + 1 < w.length; j++) {
            long p = pair(w[j], w[j + 1]);
            changed.add(p);
            if (pairCounts.merge(p, -c, Long::sum) == 0) {
                pairCounts.remove(p);
            }
            Set<Integer> s = where.get(p);
            if (s != null) {
                s.remove(word);
                if (s.isEmpty()) {
                    where.remove(p);
                }
            }
        }
    }

    private static void pairsOf(int[] w, Set<Long> into) {
        for (int j = 0; j + 1 < w.length; j++) {
            into.add(pair(w[j], w[j + 1]));
        }
    }

    /** The word with every occurrence of {@code a b}, left to right, replaced by {@code merged}. */
    private static int[] merge(int[] w, int a, int b, int merged) {
        int[] out = new int[w.length];
        int n = 0;
        for (int j = 0; j < w.length; j++) {
            if (j + 1 < w.length && w[j] == a && w[j + 1] == b) {
                out[n++] = merged;
                j++;
            } else {
                out[n++] = w[j];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
