package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.seq2seq.Seq2SeqEvaluation;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Summed error and BLEU statistics of decoded outputs against one reference each, mergeable across tasks (only
 * these counts leave a task):
 * <ul>
 *   <li>token error rate (phoneme error rate for grapheme-to-phoneme) = sum of Levenshtein distances / reference
 *       tokens;</li>
 *   <li>sequence error rate (word error rate) = outputs that differ from their reference / outputs;</li>
 *   <li>corpus BLEU-4 (Papineni et al. 2002): {@code BP * exp(sum_{n=1..4} 1/4 log p_n)} with the modified
 *       precision {@code p_n} = clipped n-gram matches / output n-grams, both summed over the corpus, and the
 *       brevity penalty {@code BP = 1} if {@code c > r} else {@code exp(1 - r / c)} (c, r: summed output and
 *       reference lengths); 0 when some {@code p_n} is 0 (no smoothing).</li>
 * </ul>
 */
final class Seq2SeqScores implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int MAX_N = 4;

    private long edits;
    private long referenceTokens;
    private long wrong;
    private long sequences;
    private final long[] matches = new long[MAX_N];
    private final long[] ngrams = new long[MAX_N];
    private long outputLength;

    /** Adds one output and its reference (token ids without begin and end). */
    void add(int[] output, int[] reference) {
        int d = Seq2SeqEvaluation.levenshtein(output, reference);
        edits += d;
        referenceTokens += reference.length;
        wrong += d == 0 ? 0 : 1;
        sequences++;
        outputLength += output.length;
        for (int n = 1; n <= MAX_N; n++) {
            Map<List<Integer>, Integer> ref = counts(reference, n);
            for (Map.Entry<List<Integer>, Integer> e : counts(output, n).entrySet()) {
                matches[n - 1] += Math.min(e.getValue(), ref.getOrDefault(e.getKey(), 0));
            }
            ngrams[n - 1] += Math.max(0, output.length - n + 1);
        }
    }

    private static Map<List<Integer>, Integer> counts(int[] seq, int n) {
        Map<List<Integer>, Integer> m = new HashMap<>();
        for (int i = 0; i + n <= seq.length; i++) {
            m.merge(Arrays.stream(seq, i, i + n).boxed().toList(), 1, Integer::sum);
        }
        return m;
    }

    Seq2SeqScores merge(Seq2SeqScores o) {
        Seq2SeqScores s = new Seq2SeqScores();
        s.edits = edits + o.edits;
        s.referenceTokens = referenceTokens + o.referenceTokens;
        s.wrong = wrong + o.wrong;
        s.sequences = sequences + o.sequences;
        s.outputLength = outputLength + o.outputLength;
        for (int n = 0; n < MAX_N; n++) {
            s.matches[n] = matches[n] + o.matches[n];
            s.ngrams[n] = ngrams[n] + o.ngrams[n];
        }
        return s;
    }

    long sequences() {
        return sequences;
    }

    double tokenErrorRate() {
        return (double) edits / referenceTokens;
    }

    double sequenceErrorRate() {
        return (double) wrong / sequences;
    }

    double bleu() {
        return bleu(matches, ngrams, outputLength, referenceTokens);
    }

    /** Corpus BLEU from summed clipped matches and output n-grams per order, output and reference lengths. */
    static double bleu(long[] matches, long[] ngrams, long outputLength, long referenceLength) {
        double logSum = 0;
        for (int n = 0; n < matches.length; n++) {
            if (matches[n] == 0 || ngrams[n] == 0) {
                return 0;
            }
            logSum += Math.log((double) matches[n] / ngrams[n]) / matches.length;
        }
        double bp = outputLength > referenceLength ? 1 : Math.exp(1 - (double) referenceLength / outputLength);
        return bp * Math.exp(logSum);
    }

    /** {@code per}, {@code wer}, {@code bleu} and {@code sequences} under {@code prefix}. */
    void toJson(ObjectNode n, String prefix) {
        n.put(prefix + "per", tokenErrorRate());
        n.put(prefix + "wer", sequenceErrorRate());
        n.put(prefix + "bleu", bleu());
        n.put(prefix + "sequences", sequences);
    }
}
