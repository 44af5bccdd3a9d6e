package io.sparkrnn.driver.corpus.tagging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.bad.BadReason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaggingReaderTest extends SparkCorpusTest {
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

    @Test
    void taggingFromArrayAndStringColumnsWithBadRows(@TempDir Path dir) {
        List<TaggedSentence> ref = TaggingReader.brown(sc, BROWN, false, 0.0).records().collect();
        List<Row> rows = new ArrayList<>();
        for (TaggedSentence s : ref) {
            rows.add(RowFactory.create(s.tokens(), String.join(" ", s.tags())));
        }
        rows.add(RowFactory.create(new String[] {"a", "b"}, "X"));   // 2 tokens, 1 tag
        rows.add(RowFactory.create(new String[] {"a", null}, "X Y")); // a null token
        rows.add(RowFactory.create(null, "X"));
        StructType schema = new StructType().add("tokens", DataTypes.createArrayType(DataTypes.StringType))
                .add("tags", DataTypes.StringType);
        String path = writeParquet(dir, rows, schema, 2);
        Corpus<TaggedSentence> c = TaggingReader.parquet(sc, path, "tokens", "tags", 0.01);
        assertEquals(ref.stream().map(TaggingReaderTest::tagged).sorted().toList(),
                c.records().map(TaggingReaderTest::tagged).collect().stream().sorted().toList());
        assertEquals(1, c.bad().count(BadReason.TOKEN_TAG_MISMATCH));
        assertEquals(2, c.bad().count(BadReason.NULL_VALUE));
        // the bad rows are the last three of the second file
        int second = rows.size() - rows.size() / 2;
        String ex = c.bad().examples().get(0).toString();
        assertTrue(ex.contains("/part-00001-") && ex.contains(":" + (second - 2) + ": token/tag count mismatch"), ex);

        CorpusException e = assertThrows(CorpusException.class, () -> TaggingReader.parquet(sc, path, "words",
                "tags", 0.01));
        assertTrue(e.getMessage().contains("has no column 'words'"), e.getMessage());
    }

    static String tagged(TaggedSentence s) {
        return String.join(" ", s.tokens()) + " | " + String.join(" ", s.tags());
    }
}
