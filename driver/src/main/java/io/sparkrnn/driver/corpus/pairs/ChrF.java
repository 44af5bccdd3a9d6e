package io.sparkrnn.driver.corpus.pairs;

import io.sparkrnn.driver.corpus.text.Tokenizer13a;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus chrF as sacreBLEU 2.x computes it by default ({@code nrefs:N|case:mixed|eff:yes|nc:6|nw:0|space:no}):
 * whitespace removed, character n-grams (n = 1..6, Unicode code points) of hypothesis and reference counted; per
 * sentence, against each reference, the hypothesis n-grams, reference n-grams and matches (the smaller count of each
 * shared n-gram) per order (hypothesis n-grams counted as 0 when the reference has none of that order), keeping
 * the reference with the best sentence F-score; summed over the corpus. The score: precision and recall averaged
 * over the orders where both sides have n-grams, then
 * {@code 100 * (1 + beta^2) P R / (beta^2 P + R)} with {@code beta = 2} (0 when P + R = 0). Mergeable: only the
 * sums leave a Spark task.
 */
public final class ChrF implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The largest character n-gram order. */
    public static final int ORDER = 6;
    /** Recall weighs beta times as much as precision. */
    public static final double BETA = 2;

    /** Per order: hypothesis n-grams, reference n-grams, matches. */
    private final long[] stats = new long[3 * ORDER];

    /** Adds one hypothesis with its references (at least one), untokenized text. */
    public void add(String hypothesis, List<String> references) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("a hypothesis needs at least one reference, found none");
        }
        List<Map<String, Integer>> hyp = ngrams(hypothesis);
        long[] best = null;
        double bestF = -1;
        for (String r : references) {
            List<Map<String, Integer>> ref = ngrams(r);
            long[] s = new long[3 * ORDER];
            for (int n = 0; n < ORDER; n++) {
                Map<String, Integer> h = hyp.get(n);
                Map<String, Integer> g = ref.get(n);
                long match = 0;
                for (Map.Entry<String, Integer> e : h.entrySet()) {
                    match += Math.min(e.getValue(), g.getOrDefault(e.getKey(), 0));
                }
                s[3 * n] = g.isEmpty() ? 0 : total(h); // sacreBLEU: no hits counted without reference n-grams
                s[3 * n + 1] = total(g);
                s[3 * n + 2] = match;
            }
            double f = score(s);
            if (f > bestF) {
                bestF = f;
                best = s;
            }
        }
        for (int i = 0; i < stats.length; i++) {
            stats[i] += best[i];
        }
    }

    private static long total(Map<String, Integer> m) {
        long t = 0;
        for (int k : m.values()) {
            t += k;
        }
        return t;
    }

    /** Character n-gram counts of orders 1..6, whitespace removed (Python's {@code ''.join(line.split())}). */
    private static List<Map<String, Integer>> ngrams(String line) {
        int[] cps = line.codePoints().filter(c -> c > 0xFFFF || !Tokenizer13a.isPythonSpace((char) c)).toArray();
        List<Map<String, Integer>> out = new ArrayList<>();
        for (int n = 1; n <= ORDER; n++) {
            Map<String, Integer> m = new HashMap<>();
            for (int i = 0; i + n <= cps.length; i++) {
                m.merge(new String(cps, i, n), 1, Integer::sum);
            }
            out.add(m);
        }
        return out;
    }

    /** The sums of both. */
    public ChrF merge(ChrF o) {
        ChrF s = new ChrF();
        for (int i = 0; i < stats.length; i++) {
            s.stats[i] = stats[i] + o.stats[i];
        }
        return s;
    }

    /** The corpus chrF, 0 to 100 as sacreBLEU prints it. */
    public double score() {
        return score(stats);
    }

    /** sacreBLEU's {@code CHRF._compute_f_score} without eps smoothing. */
    static double score(long[] stats) {
        double factor = BETA * BETA;
        double avgPrec = 0;
        double avgRec = 0;
        int effective = 0;
        for (int i = 0; i < ORDER; i++) {
            long nHyp = stats[3 * i];
            long nRef = stats[3 * i + 1];
            long nMatch = stats[3 * i + 2];
            if (nHyp > 0 && nRef > 0) {
                avgPrec += (double) nMatch / nHyp;
                avgRec += (double) nMatch / nRef;
                effective++;
            }
        }
        if (effective == 0) {
            return 0.0;
        }
        avgPrec /= effective;
        avgRec /= effective;
        if (avgPrec + avgRec == 0) {
            return 0.0;
        }
        return 100 * (1 + factor) * avgPrec * avgRec / (factor * avgPrec + avgRec);
    }
}
