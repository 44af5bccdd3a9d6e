package io.sparkrnn.driver.corpus.pairs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.bad.BadReason;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import io.sparkrnn.driver.corpus.CorpusException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        EncodedPair a = EncodedPair.encode(all.records().filter(p -> String.join("", p.source()).equals("A")),
                letters, phones).first();
        assertArrayEquals(new int[] {letters.id("A")}, a.source());
        assertArrayEquals(new int[] {Vocabulary.BOS_ID, phones.id("AH0"), Vocabulary.EOS_ID}, a.target());
    }

    @Test
    void pairsFromCmudict(@TempDir Path dir) {
        List<TextPair> ref = PairReader.cmudict(sc, CMU, true, 0.0).records().collect();
        List<Row> rows = new ArrayList<>();
        for (TextPair p : ref) {
            rows.add(RowFactory.create(String.join("", p.source()), String.join(" ", p.target())));
        }
        rows.add(RowFactory.create("ABC", " "));
        String path = writeParquet(dir, rows, STRINGS2, 3);
        Corpus<TextPair> c = PairReader.parquet(sc, path, "a", "b", TokenUnit.CHARS, TokenUnit.WORDS, 0.01);
        assertEquals(ref.stream().map(p -> List.of(p.source()) + "=" + List.of(p.target())).sorted().toList(),
                c.records().map(p -> List.of(p.source()) + "=" + List.of(p.target())).collect().stream().sorted()
                        .toList());
        assertEquals(1, c.bad().count(BadReason.EMPTY_TARGET));
    }

    @Test
    void tsvColumnsReadsTheSampleVerses() {
        String path = sample("kjv-web/kjv-web.tsv");
        Corpus<TextPair> c = PairReader.tsvColumns(sc, path, 1, 2, TokenUnit.WORDS_13A, TokenUnit.WORDS_13A, 0.0);
        assertEquals(0, c.bad().total());
        TextPair first = c.records().filter(p -> String.join(" ", p.source()).startsWith("The proverbs of Solomon"))
                .first();
        assertArrayEquals("The proverbs of Solomon the son of David , king of Israel ;".split(" "), first.source());
        assertArrayEquals("The proverbs of Solomon , the son of David , king of Israel :".split(" "), first.target());
        System.out.println("kjv-web sample: " + c.count() + " verse pairs");
    }

    @Test
    void tsvColumnsBadLinesNameFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("pairs.tsv");
        Files.writeString(f, "Gen.1.1\tIn the beginning.\tIn the beginning.\n\nJohn.11.35\tJesus wept.\n"
                + "John.11.36\t \tThen said the Jews\nJohn.11.37\tAnd some\t\n");
        Corpus<TextPair> c = PairReader.tsvColumns(sc, f.toString(), 1, 2, TokenUnit.WORDS, TokenUnit.WORDS, 0.9);
        assertEquals(1, c.count());
        assertEquals(2, c.bad().count(BadReason.WRONG_COLUMN_COUNT));
        assertEquals(1, c.bad().count(BadReason.EMPTY_TARGET));
        CorpusException e = org.junit.jupiter.api.Assertions.assertThrows(CorpusException.class,
                () -> PairReader.tsvColumns(sc, f.toString(), 1, 2, TokenUnit.WORDS, TokenUnit.WORDS, 0.0));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("pairs.tsv:3")
                && e.getMessage().contains("expected at least 3 TAB-separated columns"), e.getMessage());
    }
}
