package io.sparkrnn.driver.corpus.pairs;

import io.sparkrnn.driver.corpus.text.Tokenizer13a;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU as sacreBLEU 2.x computes it by default ({@code nrefs:N|case:mixed|eff:no|tok:13a|smooth:exp}), on
 * detokenized text: each hypothesis and reference is cut by {@link Tokenizer13a}; per sentence the word n-grams
 * (n = 1..4) of the hypothesis are counted, each clipped to its largest count in any one reference; clipped matches,
 * hypothesis n-grams, hypothesis lengths and effective reference lengths (the reference length closest to the
 * hypothesis's, the shorter on a tie) are summed over the corpus. Then
 * {@code BLEU = 100 * BP * exp(sum_{n=1..4} 1/4 log p_n)}, {@code p_n} = matches / n-grams, the brevity penalty
 * {@code BP = exp(1 - r / c)} when {@code c < r}, else 1; no match of any order scores 0; an order without matches
 * takes sacreBLEU's {@code exp} smoothing ({@code p_n = 1 / (2^k * n-grams)} for the k-th such order); an order
 * without hypothesis n-grams ends the sum, its precision 0 (a score of about 0). Mergeable: only the sums leave a
 * Spark task.
 */
public final class SacreBleu implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The largest n-gram order. */
    public static final int ORDER = 4;

    private final long[] matches = new long[ORDER];
    private final long[] totals = new long[ORDER];
    private long hypothesisLength;
    private long referenceLength;

    /** Adds one hypothesis with its references (at least one), all untokenized text. */
    public void add(String hypothesis, List<String> references) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("a hypothesis needs at least one reference, found none");
        }
        String[] hyp = Tokenizer13a.tokens(hypothesis);
        Map<List<String>, Integer> maxRef = new HashMap<>();
        int closest = -1;
        for (String r : references) {
            String[] ref = Tokenizer13a.tokens(r);
            int diff = Math.abs(hyp.length - ref.length);
            int bestDiff = Math.abs(hyp.length - closest);
            if (closest < 0 || diff < bestDiff || (diff == bestDiff && ref.length < closest)) {
                closest = ref.length;
            }
            for (int n = 1; n <= ORDER; n++) {
                ngrams(ref, n).forEach((g, k) -> maxRef.merge(g, k, Math::max));
            }
        }
        hypothesisLength += hyp.length;
        referenceLength += closest;
        for (int n = 1; n <= ORDER; n++) {
            for (Map.Entry<List<String>, Integer> e : ngrams(hyp, n).entrySet()) {
                matches[n - 1] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
            }
            totals[n - 1] += Math.max(0, hyp.length - n + 1);
        }
    }

    private static Map<List<String>, Integer> ngrams(String[] tokens, int n) {
        Map<List<String>, Integer> m = new HashMap<>();
        for (int i = 0; i + n <= tokens.length; i++) {
            m.merge(Arrays.asList(tokens).subList(i, i + n).stream().toList(), 1, Integer::sum);
        }
        return m;
    }

    /** The sums of both. */
    public SacreBleu merge(SacreBleu o) {
        SacreBleu s = new SacreBleu();
        for (int n = 0; n < ORDER; n++) {
            s.matches[n] = matches[n] + o.matches[n];
            s.totals[n] = totals[n] + o.totals[n];
        }
        s.hypothesisLength = hypothesisLength + o.hypothesisLength;
        s.referenceLength = referenceLength + o.referenceLength;
        return s;
    }

    /** The corpus BLEU, 0 to 100 as sacreBLEU prints it. */
    public double score() {
        return score(matches, totals, hypothesisLength, referenceLength);
    }

    /** sacreBLEU's {@code BLEU.compute_bleu} with {@code smooth_method = 'exp'} and no effective order. */
    static double score(long[] matches, long[] totals, long sysLen, long refLen) {
        double bp = 1.0;
        if (sysLen < refLen) {
            bp = sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0;
        }
        if (Arrays.stream(matches).allMatch(m -> m == 0)) {
            return 0.0;
        }
        double[] precisions = new double[matches.length];
        double smooth = 1.0;
        for (int n = 0; n < matches.length; n++) {
            if (totals[n] == 0) {
                break;
            }
            if (matches[n] == 0) {
                smooth *= 2;
                precisions[n] = 100.0 / (smooth * totals[n]);
            } else {
                precisions[n] = 100.0 * matches[n] / totals[n];
            }
        }
        double logSum = 0;
        for (double p : precisions) {
            logSum += p == 0 ? -9999999999.0 : Math.log(p);
        }
        return bp * Math.exp(logSum / matches.length);
    }
}
