package io.sparkrnn.driver.corpus.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.tagging.TaggingReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest extends SparkCorpusTest {

    @Test
    void specialsFirstThenByCountWithMinCountAndMaxSize() {
        var rdd = sc.parallelize(List.of("b", "a", "b", "c", "c", "c", "d", "e", "e"), 2);
        Vocabulary v = Vocabulary.fit(rdd, 2, 100);
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "c", "b", "e"), v.tokens());
        assertEquals(Vocabulary.PAD_ID, v.id("<pad>"));
        assertEquals(Vocabulary.UNK_ID, v.id("a"));
        assertArrayEquals(new int[] {4, 1, 6}, v.encode(new String[] {"c", "zzz", "e"}));
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "c"), Vocabulary.fit(rdd, 1, 5).tokens());
        Vocabulary tags = Vocabulary.fit(rdd, 1, 100, List.of());
        assertEquals(List.of("c", "b", "e", "a", "d"), tags.tokens());
        CorpusException e = assertThrows(CorpusException.class, () -> tags.encode(new String[] {"x"}));
        assertEquals("token \"x\" is not in the vocabulary, which has no <unk>", e.getMessage());
    }

    @Test
    void brownWordVocabulary() {
        var brown = TaggingReader.brown(sc, BROWN, true, 0.0);
        Vocabulary v = Vocabulary.fit(brown.records().flatMap(s -> List.of(s.tokens()).iterator()), 1, 1_000_000);
        Vocabulary tags = Vocabulary.fit(brown.records().flatMap(s -> List.of(s.tags()).iterator()), 1, 1000,
                List.of());
        System.out.println("Brown sample: " + (v.size() - 4) + " distinct words, " + tags.size() + " base tags");
        assertEquals(87, tags.size());
        assertEquals("the", v.token(4));
        Vocabulary capped = Vocabulary.fit(brown.records().flatMap(s -> List.of(s.tokens()).iterator()), 3, 1000);
        assertEquals(1000, capped.size());
    }

    @Test
    void saveLoadRoundTripWithAwkwardTokens(@TempDir Path dir) throws Exception {
        Vocabulary v = Vocabulary.of(List.of("<pad>", "<unk>", "tab\there", "quote\"", "new\nline", "back\\slash",
                "ü€𝄞", " "));
        String path = dir.resolve("vocab-words.txt").toString();
        v.save(sc, path);
        assertEquals(v.tokens(), Vocabulary.load(sc, path).tokens());
        assertEquals(8, Files.readAllLines(dir.resolve("vocab-words.txt")).size());
        assertTrue(Files.readString(dir.resolve("vocab-words.txt")).startsWith("\"<pad>\"\n\"<unk>\"\n\"tab\\there\"\n"));
        assertThrows(CorpusException.class, () -> v.save(sc, path));
        Files.writeString(dir.resolve("bad.txt"), "\"ok\"\nnot json\n");
        CorpusException e = assertThrows(CorpusException.class,
                () -> Vocabulary.load(sc, dir.resolve("bad.txt").toString()));
        assertTrue(e.getMessage().contains("bad.txt:2: expected a JSON string literal, found not json"), e.getMessage());
    }
}
