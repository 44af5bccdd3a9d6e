package io.sparkrnn.engine.seq2seq;

import io.sparkrnn.engine.param.FlatParams;
import java.util.List;

/**
 * Held-out error rates of an encoder-decoder model under greedy decoding: the token error rate (for
 * grapheme-to-phoneme the phoneme error rate, PER) = summed Levenshtein distance between output and reference
 * / reference tokens, and the sequence error rate (word error rate, WER) = outputs not exactly the reference.
 */
public final class Seq2SeqEvaluation {
    private Seq2SeqEvaluation() {
    }

    /** Summed edits over {@code referenceTokens}, and wrong outputs out of {@code sequences}. */
    public record ErrorRates(long edits, long referenceTokens, long wrongSequences, long sequences) {
        public double tokenErrorRate() {
            return (double) edits / referenceTokens;
        }

        public double sequenceErrorRate() {
            return (double) wrongSequences / sequences;
        }
    }

    /**
     * Greedy-decodes {@code sources} in chunks of {@code chunk} and compares each output with its reference
     * (token ids without {@code <bos>} and {@code <eos>}).
     */
    public static ErrorRates greedy(Seq2SeqModel model, FlatParams params, List<int[]> sources,
            List<int[]> references, int chunk) {
        if (sources.size() != references.size() || sources.isEmpty()) {
            throw new IllegalArgumentException("expected as many references as sources (> 0), found "
                    + references.size() + " and " + sources.size());
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("chunk must be >= 1, found " + chunk);
        }
        long edits = 0;
        long tokens = 0;
        long wrong = 0;
        for (int from = 0; from < sources.size(); from += chunk) {
            int to = Math.min(sources.size(), from + chunk);
            List<Hypothesis> hyps = Seq2SeqDecoding.greedy(model, params, sources.subList(from, to), 0.0);
            for (int i = from; i < to; i++) {
                int d = levenshtein(hyps.get(i - from).tokens(), references.get(i));
                edits += d;
                tokens += references.get(i).length;
                wrong += d == 0 ? 0 : 1;
            }
        }
        return new ErrorRates(edits, tokens, wrong, sources.size());
    }

    /** The edit distance (insertions, deletions, substitutions, each 1) between two token sequences. */
    public static int levenshtein(int[] a, int[] b) {
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length; i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length; j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }
}
