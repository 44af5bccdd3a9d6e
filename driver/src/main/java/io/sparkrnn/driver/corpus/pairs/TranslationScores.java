package io.sparkrnn.driver.corpus.pairs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.List;

/**
 * The translation metrics of word-level pairs, on detokenized text as sacreBLEU scores it: corpus BLEU
 * ({@link SacreBleu}) and chrF ({@link ChrF}), both 0 to 100. Mergeable: only their sums leave a Spark task.
 */
public final class TranslationScores implements Serializable {
    private static final long serialVersionUID = 1L;

    private final SacreBleu bleu;
    private final ChrF chrf;

    public TranslationScores() {
        this(new SacreBleu(), new ChrF());
    }

    private TranslationScores(SacreBleu bleu, ChrF chrf) {
        this.bleu = bleu;
        this.chrf = chrf;
    }

    /** Adds one hypothesis with its references (at least one). */
    public void add(String hypothesis, List<String> references) {
        bleu.add(hypothesis, references);
        chrf.add(hypothesis, references);
    }

    /** The sums of both. */
    public TranslationScores merge(TranslationScores o) {
        return new TranslationScores(bleu.merge(o.bleu), chrf.merge(o.chrf));
    }

    /** Corpus BLEU, 0 to 100. */
    public double bleu() {
        return bleu.score();
    }

    /** Corpus chrF, 0 to 100. */
    public double chrf() {
        return chrf.score();
    }

    /** {@code bleu} and {@code chrf} under {@code prefix}. */
    public void toJson(ObjectNode n, String prefix) {
        n.put(prefix + "bleu", bleu());
        n.put(prefix + "chrf", chrf());
    }
}
