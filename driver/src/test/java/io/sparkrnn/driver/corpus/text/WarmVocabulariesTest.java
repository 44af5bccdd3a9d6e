package io.sparkrnn.driver.corpus.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;

/**
 * The vocabularies of a task with several: fitted from scratch, or a warm start's (the parent's, grown or not),
 * each reported; a label vocabulary (no {@code <unk>}) refuses new labels unless they are appended.
 */
class WarmVocabulariesTest extends SparkCorpusTest {
    private static final Vocabulary WORDS = Vocabulary.of(List.of("<pad>", "<unk>", "<bos>", "<eos>", "the", "a"));
    private static final Vocabulary LABELS = Vocabulary.of(List.of("ham", "spam"));

    private JavaRDD<String> tokens(String... t) {
        return sc.parallelize(List.of(t), 2);
    }

    @Test
    void aRunFromScratchTakesTheFittedVocabulariesAndReportsNothing() {
        WarmVocabularies.Fitting f = WarmVocabularies.NONE.start();
        Vocabulary fitted = Vocabulary.of(List.of("<pad>", "<unk>", "dog"));
        assertSame(fitted, f.vocabulary("vocab-words.txt", fitted, tokens("dog"), "data"));
        assertEquals("", f.describe("data"));
        assertNull(f.toJson());
    }

    @Test
    void unkKeepsEachParentVocabularyAndCountsWhatItLacks() {
        WarmVocabularies w = new WarmVocabularies(Map.of("vocab-words.txt", WORDS, "vocab-labels.txt", LABELS), false);
        WarmVocabularies.Fitting f = w.start();
        JavaRDD<String> text = tokens("the", "dog", "dog", "a", "emu");
        Vocabulary fitted = Vocabulary.fit(text, 1, 100);
        assertEquals(WORDS.tokens(), f.vocabulary("vocab-words.txt", fitted, text, "new.tsv").tokens());
        JavaRDD<String> labels = tokens("spam", "ham", "ham");
        assertEquals(LABELS.tokens(), f.vocabulary("vocab-labels.txt", Vocabulary.fit(labels, 1, 100, List.of()),
                labels, "new.tsv").tokens());
        ObjectNode n = f.toJson();
        assertEquals(3, n.get("vocab-words.txt").get("unseen_tokens").asLong());
        assertEquals(2, n.get("vocab-words.txt").get("unseen_token_types").asLong());
        assertEquals(0, n.get("vocab-words.txt").get("tokens_added").asInt());
        assertEquals(0, n.get("vocab-labels.txt").get("unseen_tokens").asLong());
        assertTrue(f.describe("new.tsv").contains("the parent's vocab-words.txt, 0 token(s) appended; 3 tokens (2 "
                + "distinct) of new.tsv are not in it and map to <unk>"), f.describe("new.tsv"));
    }

    @Test
    void extendAppendsNewTokensAndLabelsAfterTheParentsIds() {
        WarmVocabularies.Fitting f = new WarmVocabularies(Map.of("vocab-words.txt", WORDS, "vocab-labels.txt",
                LABELS), true).start();
        JavaRDD<String> text = tokens("the", "dog", "dog", "a", "emu");
        Vocabulary words = f.vocabulary("vocab-words.txt", Vocabulary.fit(text, 2, 100), text, "new.tsv");
        // emu is below the minimum count of 2: not appended, counted
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "the", "a", "dog"), words.tokens());
        JavaRDD<String> labels = tokens("eggs", "spam", "eggs", "ham");
        Vocabulary l = f.vocabulary("vocab-labels.txt", Vocabulary.fit(labels, 1, 100, List.of()), labels, "new.tsv");
        assertEquals(List.of("ham", "spam", "eggs"), l.tokens());
        assertEquals(1, f.toJson().get("vocab-words.txt").get("unseen_tokens").asLong());
        assertEquals(1, f.toJson().get("vocab-labels.txt").get("tokens_added").asInt());
        assertTrue(f.describe("new.tsv").contains("the parent's vocab-labels.txt, 1 token(s) appended; 0 tokens (0 "
                + "distinct) of new.tsv are not in it\n"), f.describe("new.tsv"));
    }

    @Test
    void newLabelsWithoutExtendAreRefusedByName() {
        WarmVocabularies.Fitting f = new WarmVocabularies(Map.of("vocab-labels.txt", LABELS), false).start();
        JavaRDD<String> labels = tokens("eggs", "spam", "bacon");
        CorpusException e = assertThrows(CorpusException.class, () -> f.vocabulary("vocab-labels.txt",
                Vocabulary.fit(labels, 1, 100, List.of()), labels, "new.tsv"));
        assertTrue(e.getMessage().startsWith("new.tsv: 2 token(s) of the training part are not in the parent "
                + "model's vocab-labels.txt") && e.getMessage().contains("\"bacon\", \"eggs\"")
                && e.getMessage().contains("vocab.on-new-tokens = extend"), e.getMessage());
    }
}
