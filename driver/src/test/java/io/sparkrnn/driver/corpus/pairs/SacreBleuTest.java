package io.sparkrnn.driver.corpus.pairs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Corpus BLEU and chrF against sacreBLEU 2.6.0 ({@code sacrebleu.corpus_bleu}, {@code corpus_chrf} with their
 * defaults) on the same sentences: the first set is sacreBLEU's README example.
 */
class SacreBleuTest {
    static final List<String> SYS = List.of("The dog bit the man.", "It wasn't surprising.",
            "The man had just bitten him.");
    static final List<String> REF1 = List.of("The dog bit the man.", "It was not unexpected.",
            "The man bit him first.");
    static final List<String> REF2 = List.of("The dog had bit the man.", "No one was surprised.",
            "The man had bitten the dog.");

    static SacreBleu bleu(List<String> sys, List<List<String>> refs) {
        SacreBleu b = new SacreBleu();
        for (int i = 0; i < sys.size(); i++) {
            int k = i;
            b.add(sys.get(i), refs.stream().map(r -> r.get(k)).toList());
        }
        return b;
    }

    static ChrF chrf(List<String> sys, List<List<String>> refs) {
        ChrF c = new ChrF();
        for (int i = 0; i < sys.size(); i++) {
            int k = i;
            c.add(sys.get(i), refs.stream().map(r -> r.get(k)).toList());
        }
        return c;
    }

    @Test
    void bleuAsSacreBleu() {
        assertEquals(45.06750632106114, bleu(SYS, List.of(REF1)).score(), 1e-9);
        assertEquals(48.530827009929865, bleu(SYS, List.of(REF1, REF2)).score(), 1e-9);
        assertEquals(33.78000387017587, bleu(List.of("Thou shalt not kill.", "Jesus wept."),
                List.of(List.of("You shall not murder.", "Jesus wept."))).score(), 1e-9);
        // no 4-gram matches: sacreBLEU's exp smoothing (p4 = 1 / (2 * 2))
        assertEquals(42.72870063962342, bleu(List.of("a b c d e"), List.of(List.of("a b c x e"))).score(), 1e-9);
        // brevity penalty exp(1 - 10 / 6)
        assertEquals(51.341711903259224, bleu(List.of("a b c d e f"), List.of(List.of("a b c d e f g h i j")))
                .score(), 1e-9);
        assertEquals(0.0, bleu(List.of("x y"), List.of(List.of("a b"))).score());
        assertEquals(0.0, bleu(List.of(""), List.of(List.of("a b"))).score());
    }

    @Test
    void bleuMergesAsOneCorpus() {
        SacreBleu a = bleu(SYS.subList(0, 1), List.of(REF1.subList(0, 1)));
        SacreBleu b = bleu(SYS.subList(1, 3), List.of(REF1.subList(1, 3)));
        assertEquals(45.06750632106114, a.merge(b).score(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new SacreBleu().add("a", List.of()));
    }

    @Test
    void chrfAsSacreBleu() {
        assertEquals(50.043063606582294, chrf(SYS, List.of(REF1)).score(), 1e-9);
        // several references: per sentence the best-scoring one
        assertEquals(59.72751782684763, chrf(SYS, List.of(REF1, REF2)).score(), 1e-9);
        assertEquals(52.67309600258563, chrf(List.of("Thou shalt not kill.", "Jesus wept."),
                List.of(List.of("You shall not murder.", "Jesus wept."))).score(), 1e-9);
        // orders the reference lacks count no hypothesis n-grams (sacreBLEU's rule)
        assertEquals(55.00000000000001, chrf(List.of("abcdefgh"), List.of(List.of("ab"))).score(), 1e-9);
        ChrF a = chrf(SYS.subList(0, 2), List.of(REF1.subList(0, 2)));
        ChrF b = chrf(SYS.subList(2, 3), List.of(REF1.subList(2, 3)));
        assertEquals(50.043063606582294, a.merge(b).score(), 1e-9);
    }

    @Test
    void copyBaselineOfTheKjvWebSample() throws Exception {
        // sacreBLEU 2.6.0, mixed case: corpus_bleu(kjv, [web]) 38.37943984766866, corpus_chrf 60.66237314989786
        TranslationScores t = new TranslationScores();
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(
                io.sparkrnn.driver.corpus.SparkCorpusTest.sample("kjv-web/kjv-web.tsv")))) {
            String[] f = line.split("\t");
            t.add(f[1], List.of(f[2]));
        }
        assertEquals(38.37943984766866, t.bleu(), 1e-9);
        assertEquals(60.66237314989786, t.chrf(), 1e-9);
    }
}
