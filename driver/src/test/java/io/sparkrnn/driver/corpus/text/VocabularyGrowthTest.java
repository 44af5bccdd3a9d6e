package io.sparkrnn.driver.corpus.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkrnn.driver.corpus.SparkCorpusTest;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** A warm start's word vocabulary: the parent's ids kept, new words appended or counted as unknown. */
class VocabularyGrowthTest extends SparkCorpusTest {
    private static final Vocabulary PARENT = Vocabulary.of(List.of("<pad>", "<unk>", "<bos>", "<eos>", "the", "a"));

    private JavaPairRDD<String, Long> counts() {
        // the new text: the x5, dog x3, cat x2, a x1, emu x1
        return sc.parallelizePairs(List.of(new Tuple2<>("the", 5L), new Tuple2<>("dog", 3L), new Tuple2<>("cat", 2L),
                new Tuple2<>("a", 1L), new Tuple2<>("emu", 1L)), 2);
    }

    @Test
    void extendAppendsTheFittedVocabularysNewTokensInItsOrder() {
        Vocabulary fitted = Vocabulary.fitCounts(counts(), 2, 100, Vocabulary.SPECIALS);
        VocabularyGrowth.Outcome o = new VocabularyGrowth(PARENT, true).apply(fitted, counts());
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "the", "a", "dog", "cat"), o.vocabulary().tokens());
        assertEquals(2, o.added());
        // emu is below vocab.min-count = 2: it maps to <unk> as in any run
        assertEquals(1, o.unseenTypes());
        assertEquals(1, o.unseen());
    }

    @Test
    void unkKeepsTheParentsVocabularyAndCountsTheNewTokens() {
        Vocabulary fitted = Vocabulary.fitCounts(counts(), 1, 100, Vocabulary.SPECIALS);
        VocabularyGrowth.Outcome o = new VocabularyGrowth(PARENT, false).apply(fitted, counts());
        assertEquals(PARENT.tokens(), o.vocabulary().tokens());
        assertEquals(0, o.added());
        assertEquals(3, o.unseenTypes());
        assertEquals(3 + 2 + 1, o.unseen());
    }
}
