package io.sparkrnn.driver.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PairReaderTest extends SparkCorpusTest {
    static final String CMU = sample("cmudict/cmudict-sample.txt");

    @Test
    void cmudictSampleWithAndWithoutAlternates() {
        Corpus<TextPair> all = PairReader.cmudict(sc, CMU, true, 0.0);
        assertEquals(6082, all.count());
        assertEquals(0, all.bad().total());
        Corpus<TextPair> first = PairReader.cmudict(sc, CMU, false, 0.0);
        assertEquals(6082 - 377, first.count());
        // ABDUCTOR(1)  AH0 B D AH1 K T ER0 is kept under its base word
        TextPair abductor = all.records().filter(p -> String.join("", p.source()).equals("ABDUCTOR")).first();
        assertArrayEquals(new String[] {"AH0", "B", "D", "AH1", "K", "T", "ER0"}, abductor.target());
        assertEquals(0, first.records().filter(p -> String.join("", p.source()).equals("ABDUCTOR")).count());
        // the 39 phonemes with stress marks: the sample uses no more than symbols.txt's 84
        long symbols = all.records().flatMap(p -> java.util.Arrays.asList(p.target()).iterator()).distinct().count();
        System.out.println("CMUdict sample: distinct phone symbols " + symbols);
        assertEquals(true, symbols <= 84 && symbols > 60);
    }

    @Test
    void cmudictEncodesWithBosAndEos() {
        Corpus<TextPair> all = PairReader.cmudict(sc, CMU, false, 0.0);
        Vocabulary letters = Vocabulary.fit(all.records().flatMap(p -> java.util.List.of(p.source()).iterator()), 1,
                1000);
        Vocabulary phones = Vocabulary.fit(all.records().flatMap(p -> java.util.List.of(p.target()).iterator()), 1,
                1000);
        Encoded.EncodedPair a = Encoded.pairs(all.records().filter(p -> String.join("", p.source()).equals("A")),
                letters, phones).first();
        assertArrayEquals(new int[] {letters.id("A")}, a.source());
        assertArrayEquals(new int[] {Vocabulary.BOS_ID, phones.id("AH0"), Vocabulary.EOS_ID}, a.target());
    }
}
