package io.sparkrnn.driver.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TaggingReaderTest extends SparkCorpusTest {
    static final String BROWN = sample("brown") + "/c[a-r][0-9][0-9]";

    @Test
    void brownSampleHasTheDocumentedCounts() {
        Corpus<TaggedSentence> raw = TaggingReader.brown(sc, BROWN, false, 0.0);
        assertEquals(2876, raw.count());
        assertEquals(0, raw.bad().total());
        long tokens = raw.records().map(s -> (long) s.length()).reduce(Long::sum);
        assertEquals(57888, tokens);
        assertEquals(207, raw.records().flatMap(s -> java.util.Arrays.asList(s.tags()).iterator()).distinct().count());
        Corpus<TaggedSentence> base = TaggingReader.brown(sc, BROWN, true, 0.0);
        assertEquals(57888, base.records().map(s -> (long) s.length()).reduce(Long::sum));
        // -tl/-hl/-nc and fw- stripped, the part before '+' kept, '*' dropped: 87 tags (SOURCE.md's 88 counts
        // both halves of a '+' contraction; an independent Python count of this rule gives 87)
        assertEquals(87, base.records().flatMap(s -> java.util.Arrays.asList(s.tags()).iterator()).distinct().count());
        // a word with '/' inside is split at the last '/'
        assertTrue(raw.records().filter(s -> java.util.Arrays.asList(s.tokens()).contains("1/2")).count() > 0);
    }

    @Test
    void baseTagStripsSuffixesButNeverToEmpty() {
        assertEquals("nn", TaggingReader.baseTag("nn-tl-hl"));
        assertEquals("nn", TaggingReader.baseTag("nn-hl-tl"));
        assertEquals("in", TaggingReader.baseTag("fw-in-tl"));
        assertEquals("md", TaggingReader.baseTag("md*"));
        assertEquals("ppss", TaggingReader.baseTag("ppss+bem"));
        assertEquals("*", TaggingReader.baseTag("*"));
        assertEquals("-tl", TaggingReader.baseTag("-tl"));
    }

    @Test
    void conllGroupsSentencesAndSkipsShortLines() {
        Corpus<TaggedSentence> c = TaggingReader.conll(sc, broken("conll-broken.txt"), 0, 3, 1.0);
        assertEquals(2, c.count());
        assertEquals(1, c.bad().count(BadReason.WRONG_COLUMN_COUNT));
        assertTrue(c.bad().examples().get(0).toString().endsWith("conll-broken.txt:9: wrong column count"
                + " (expected at least 4 columns, found 2)"), c.bad().describe());
        var first = c.records().filter(s -> s.tokens()[0].equals("EU")).first();
        assertArrayEquals(new String[] {"EU", "rejects", "German", "call", "."}, first.tokens());
        assertArrayEquals(new String[] {"B-ORG", "O", "B-MISC", "O", "O"}, first.tags());
    }

    @Test
    void brownTokenWithoutTagIsAMismatch() {
        Corpus<TaggedSentence> c = TaggingReader.brown(sc, broken("brown-broken"), false, 1.0);
        assertEquals(2, c.count());
        assertEquals(1, c.bad().count(BadReason.TOKEN_TAG_MISMATCH));
        assertTrue(c.bad().examples().get(0).toString().contains("brown-broken:5: token/tag count mismatch"),
                c.bad().describe());
    }
}
