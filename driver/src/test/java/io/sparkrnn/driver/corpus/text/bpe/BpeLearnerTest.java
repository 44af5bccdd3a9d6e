package io.sparkrnn.driver.corpus.text.bpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Merges learned from counted words: the exact merges of a hand-checked corpus, and the same on any partitioning. */
class BpeLearnerTest extends SparkCorpusTest {
    /** Sennrich et al.'s example: low 5, lower 2, newest 6, widest 3, with the end marker on the last symbol. */
    private static final Map<String, Long> CLASSIC = Map.of("low", 5L, "lower", 2L, "newest", 6L, "widest", 3L);

    @Test
    void learnsTheClassicExamplesMergesInOrder() {
        // pairs at the start: e s 9 and s t</w> 9 (tie: "e" < "s"), w e 8, l o 7, n e / e w 6, o w</w> 5, ...
        // after e s: es t</w> 9; then l o 7; then e w, n e, w est</w> tie at 6 ("e" first); then ew est</w> 6
        // (before n e: "ew" < "n"); then n ewest</w> 6; then lo w</w> 5; then w i, i d, d es ... all 3: "d" first
        Bpe b = BpeLearner.learn(CLASSIC, 8);
        assertEquals(List.of("e s", "es t</w>", "l o", "e w", "ew est</w>", "n ewest</w>", "lo w</w>", "d est</w>"),
                b.merges().stream().map(m -> m[0] + " " + m[1]).toList());
        assertArrayEquals(new String[] {"low</w>"}, b.encode("low"));
        assertArrayEquals(new String[] {"lo", "w", "e", "r</w>"}, b.encode("lower"));
        assertArrayEquals(new String[] {"lo", "w", "est</w>"}, b.encode("lowest"));
        assertArrayEquals(new String[] {"w", "i", "dest</w>"}, b.encode("widest"));
        assertArrayEquals(new String[] {"lowest"}, Bpe.decode(b.encode("lowest")));
    }

    @Test
    void stopsWhenNoPairOccursTwice() {
        Bpe b = BpeLearner.learn(Map.of("ab", 1L, "cd", 1L), 100);
        assertEquals(0, b.merges().size());
        assertEquals(2, BpeLearner.learn(Map.of("abc", 2L), 100).merges().size());
    }

    @Test
    void theMergesDoNotDependOnThePartitioning() throws IOException {
        List<String> words = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(sample("kjv-web/kjv-web.tsv")))) {
            String[] cols = line.split("\t");
            if (cols.length > 2) {
                words.addAll(Arrays.asList(TokenUnit.WORDS_13A.split(cols[1])));
            }
        }
        Bpe one = BpeLearner.learn(sc.parallelize(words, 1), 300);
        Bpe three = BpeLearner.learn(sc.parallelize(words, 3), 300);
        assertEquals(300, one.merges().size());
        assertEquals(one.toText(), three.toText());
    }
}
