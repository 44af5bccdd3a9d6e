package io.sparkrnn.driver.corpus.pairs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.engine.seq2seq.Seq2SeqEvaluation;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Summed error and BLEU statistics of decoded outputs against the references of their source (one, or all of a
 * word's pronunciations when CMUdict alternates are kept), mergeable across tasks (only these counts leave a
 * task). The standard grapheme-to-phoneme scoring (e.g. Bisani &amp; Ney 2008): an output counts against the
 * reference closest to it.
 * <ul>
 *   <li>token error rate (phoneme error rate for grapheme-to-phoneme) = sum over sources of the smallest
 *       Levenshtein distance to one of its references / summed lengths of those closest references (on a tie
 *       the shorter, so the result does not depend on the references' order);</li>
 *   <li>sequence error rate (word error rate) = outputs equal to none of their references / outputs;</li>
 *   <li>corpus BLEU-4 (Papineni et al. 2002): {@code BP * exp(sum_{n=1..4} 1/4 log p_n)} with the modified
 *       precision {@code p_n} = clipped n-gram matches / output n-grams, both summed over the corpus (an n-gram's
 *       count clipped to its largest count in any one reference), and the brevity penalty {@code BP = 1} if
 *       {@code c > r} else {@code exp(1 - r / c)} (c: summed output lengths; r: summed effective reference
 *       lengths, per output the reference length closest to the output's, the shorter on a tie); 0 when some
 *       {@code p_n} is 0 (no smoothing).</li>
 * </ul>
 * With one reference per source these are the usual single-reference figures.
 *
 * <p>Word-level pairs also carry {@link TranslationScores} (sacreBLEU's BLEU and chrF on the outputs joined as text
 * against the references' text, unknown tokens included, both 0 to 100): their {@code bleu} in {@link #toJson} is
 * sacreBLEU's, beside {@code chrf}, as translation users compare them.
 */
public final class Seq2SeqScores implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int MAX_N = 4;

    private long edits;
    private long referenceTokens;
    private long wrong;
    private long sequences;
    private final long[] matches = new long[MAX_N];
    private final long[] ngrams = new long[MAX_N];
    private long outputLength;
    private long bleuReferenceLength;
    /** sacreBLEU's BLEU and chrF of word-level outputs; null when none were added. */
    private TranslationScores translation;

    /** Adds one output and its only reference (token ids without begin and end). */
    public void add(int[] output, int[] reference) {
        add(output, List.of(reference));
    }

    /** Adds one output scored against the closest of its source's references (at least one). */
    public void add(int[] output, List<int[]> references) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("an output needs at least one reference, found none");
        }
        int best = Integer.MAX_VALUE;
        int bestLength = 0;
        int bleuLength = -1;
        for (int[] ref : references) {
            int d = Seq2SeqEvaluation.levenshtein(output, ref);
            if (d < best || (d == best && ref.length < bestLength)) {
                best = d;
                bestLength = ref.length;
            }
            int gap = Math.abs(ref.length - output.length);
            int bestGap = Math.abs(bleuLength - output.length);
            if (bleuLength < 0 || gap < bestGap || (gap == bestGap && ref.length < bleuLength)) {
                bleuLength = ref.length;
            }
        }
        edits += best;
        referenceTokens += bestLength;
        bleuReferenceLength += bleuLength;
        wrong += best == 0 ? 0 : 1;
        sequences++;
        outputLength += output.length;
        for (int n = 1; n <= MAX_N; n++) {
            Map<List<Integer>, Integer> maxRef = new HashMap<>();
            for (int[] ref : references) {
                counts(ref, n).forEach((g, k) -> maxRef.merge(g, k, Math::max));
            }
            for (Map.Entry<List<Integer>, Integer> e : counts(output, n).entrySet()) {
                matches[n - 1] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
            }
            ngrams[n - 1] += Math.max(0, output.length - n + 1);
        }
    }

    /** Adds one output's text and its references' texts to the translation metrics. */
    public void addText(String output, List<String> references) {
        if (translation == null) {
            translation = new TranslationScores();
        }
        translation.add(output, references);
    }

    /** The translation metrics of the texts added, null when none were. */
    public TranslationScores translation() {
        return translation;
    }

    private static Map<List<Integer>, Integer> counts(int[] seq, int n) {
        Map<List<Integer>, Integer> m = new HashMap<>();
        for (int i = 0; i + n <= seq.length; i++) {
            m.merge(Arrays.stream(seq, i, i + n).boxed().toList(), 1, Integer::sum);
        }
        return m;
    }

    public Seq2SeqScores merge(Seq2SeqScores o) {
        Seq2SeqScores s = new Seq2SeqScores();
        s.edits = edits + o.edits;
        s.referenceTokens = referenceTokens + o.referenceTokens;
        s.wrong = wrong + o.wrong;
        s.sequences = sequences + o.sequences;
        s.outputLength = outputLength + o.outputLength;
        s.bleuReferenceLength = bleuReferenceLength + o.bleuReferenceLength;
        s.translation = translation == null ? o.translation
                : o.translation == null ? translation : translation.merge(o.translation);
        for (int n = 0; n < MAX_N; n++) {
            s.matches[n] = matches[n] + o.matches[n];
            s.ngrams[n] = ngrams[n] + o.ngrams[n];
        }
        return s;
    }

    public long sequences() {
        return sequences;
    }

    public double tokenErrorRate() {
        return (double) edits / referenceTokens;
    }

    public double sequenceErrorRate() {
        return (double) wrong / sequences;
    }

    public double bleu() {
        return bleu(matches, ngrams, outputLength, bleuReferenceLength);
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

    /**
     * The names of the two error rates, true to what a target is: a CMUdict word's phones (phoneme error rate,
     * word error rate), a word's characters (character error rate, word error rate), a sentence's words (token
     * error rate, sentence error rate). Runs before this naming wrote {@code per} and {@code wer} for all three.
     */
    public enum Names {
        PHONES("per", "wer"), CHARS("cer", "wer"), WORDS("ter", "ser");

        /** The field of the token error rate. */
        public final String tokens;
        /** The field of the sequence error rate. */
        public final String sequences;

        Names(String tokens, String sequences) {
            this.tokens = tokens;
            this.sequences = sequences;
        }

        /** The names for targets of {@code format} ({@code cmudict}: phones) in {@code targetTokens}. */
        public static Names of(String format, TokenUnit targetTokens) {
            return format.equals("cmudict") ? PHONES : targetTokens == TokenUnit.CHARS ? CHARS : WORDS;
        }
    }

    /**
     * The token and sequence error rates (named by {@code names}), {@code bleu} (sacreBLEU's, with {@code chrf},
     * when texts were added) and {@code sequences} under {@code prefix}.
     */
    public void toJson(ObjectNode n, String prefix, Names names) {
        n.put(prefix + names.tokens, tokenErrorRate());
        n.put(prefix + names.sequences, sequenceErrorRate());
        if (translation != null) {
            translation.toJson(n, prefix);
        } else {
            n.put(prefix + "bleu", bleu());
        }
        n.put(prefix + "sequences", sequences);
    }
}
