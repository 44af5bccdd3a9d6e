package io.sparkrnn.driver.corpus.text.bpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Words to pieces and back, and the merges file. */
class BpeTest {
    @Test
    void everyKjvWebLineComesBackFromItsPieces() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(SparkCorpusTest.sample("kjv-web/kjv-web.tsv")));
        // merges learned on the first 200 lines only, so that later lines hold words (and characters) never seen
        Map<String, Long> counts = new HashMap<>();
        for (String line : lines.subList(0, 200)) {
            for (String w : TokenUnit.BPE.split(line.toLowerCase(Locale.ROOT))) {
                counts.merge(w, 1L, Long::sum);
            }
        }
        Bpe b = BpeLearner.learn(counts, 500);
        assertEquals(500, b.merges().size());
        long words = 0;
        long pieces = 0;
        for (String line : lines) {
            String[] w = TokenUnit.BPE.split(line);
            String[] p = b.encode(w);
            assertArrayEquals(w, Bpe.decode(p), line);
            assertEquals(String.join(" ", w), Bpe.text(p));
            words += w.length;
            pieces += p.length;
        }
        assertTrue(lines.size() > 1800 && pieces > words, words + " words, " + pieces + " pieces");
    }

    @Test
    void theMergesFileComesBackAsWritten() {
        Bpe b = BpeLearner.learn(Map.of("low", 5L, "lower", 2L, "newest", 6L, "widest", 3L, "naïve", 2L), 20);
        String text = b.toText();
        assertTrue(text.startsWith(Bpe.HEADER + "\ne s\nes t</w>\n"), text);
        Bpe back = Bpe.fromText(text, "bpe-target.txt");
        assertEquals(text, back.toText());
        assertArrayEquals(b.encode("naïvest"), back.encode("naïvest"));
        assertEquals(b.merges().size(), Bpe.fromText(text.replace("\n", "\r\n"), "x").merges().size());
        // an empty word (a tagger's Dataset cell) stays one empty piece, so its tag keeps its place
        assertArrayEquals(new String[] {""}, b.encode(""));
        List<String> around = new ArrayList<>(List.of(b.encode("low")));
        around.add("");
        around.addAll(List.of(b.encode("newest")));
        assertEquals(around, List.of(b.encode(new String[] {"low", "", "newest"})));
    }

    @Test
    void aDamagedMergesFileIsRefusedNamingItsLine() {
        String good = Bpe.HEADER + "\ne s\nes t</w>\n";
        assertEquals("m/bpe-source.txt:1: not a merges file: expected the header '" + Bpe.HEADER + "'",
                assertThrows(CorpusException.class, () -> Bpe.fromText("e s\n", "m/bpe-source.txt")).getMessage());
        assertEquals("f:3: expected a merge 'left right' (two symbols separated by one space), found 'es  t'",
                assertThrows(CorpusException.class, () -> Bpe.fromText(Bpe.HEADER + "\ne s\nes  t\n", "f"))
                        .getMessage());
        assertEquals("f:2: expected a merge 'left right' (two symbols separated by one space), found 'est'",
                assertThrows(CorpusException.class, () -> Bpe.fromText(Bpe.HEADER + "\nest\n", "f")).getMessage());
        assertEquals("f:4: the merge 'e s' is already on line 2",
                assertThrows(CorpusException.class, () -> Bpe.fromText(good + "e s\n", "f")).getMessage());
        assertEquals("f:2: the left symbol 't</w>' ends a word (</w>), so nothing can follow it",
                assertThrows(CorpusException.class, () -> Bpe.fromText(Bpe.HEADER + "\nt</w> x\n", "f"))
                        .getMessage());
    }

    @Test
    void anUnseenCharacterStaysAPieceOfItsOwn() {
        Bpe b = BpeLearner.learn(Map.of("aab", 3L), 10);
        assertArrayEquals(new String[] {"aa", "z", "b</w>"}, b.encode("aazb"));
        assertArrayEquals(new String[] {"aa", "z</w>"}, b.encode("aaz"));
        assertArrayEquals(new String[] {"ab", "c"}, Bpe.decode(new String[] {"a", "b</w>", "c"}));
    }
}
