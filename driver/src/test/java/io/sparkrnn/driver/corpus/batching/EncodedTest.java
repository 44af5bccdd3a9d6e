package io.sparkrnn.driver.corpus.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.classify.LabelledText;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncodedTest extends SparkCorpusTest {
    private static final List<LabelledText> TEXTS = List.of(new LabelledText("spam", "buy now", "a"),
            new LabelledText("ham", "see you", "b"), new LabelledText("phish", "your bank", "c"));

    private static List<Integer> labels(Vocabulary labels) {
        Vocabulary words = Vocabulary.of(List.of(Vocabulary.PAD, Vocabulary.UNK, "buy", "now"));
        return Encoded.classification(sc.parallelize(TEXTS, 1), TokenUnit.WORDS::split, words, labels)
                .map(Encoded::label).collect();
    }

    @Test
    void aLabelTheModelLacksIsMinusOneAndAnOldModelsUnkStillTakesIt() {
        // the labels of a model trained now: exactly the data's; "phish" is none of them
        assertEquals(List.of(1, 0, -1), labels(Vocabulary.of(List.of("ham", "spam"))));
        // a model saved before: <unk> first, which an unknown label maps to as it did then
        assertEquals(List.of(2, 1, 0), labels(Vocabulary.of(List.of(Vocabulary.UNK, "ham", "spam"))));
    }
}
