package io.sparkrnn.driver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.bad.BadRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest extends SparkCorpusTest {
    private static final List<String> TEXTS = IntStream.range(0, 400).mapToObj(i -> "text " + i).toList();

    private static Corpus<String> corpus(String path) {
        List<String> texts = path.equals("train") ? TEXTS : List.of("other a", "other b");
        return Corpus.load(sc.parallelize(texts, 3), new BadRecords(sc, path));
    }

    @Test
    void theSeededSplitHoldsOutTheKeysBelowTheFractionAndTrainsOnTheRest() {
        Splits.TrainValidation<String> s = Splits.trainValidation(SplitsTest::corpus, "train", "", 7, 0.25,
                x -> x);
        List<String> valid = new ArrayList<>(s.validation().collect());
        List<String> train = new ArrayList<>(s.train().collect());
        List<String> expected = TEXTS.stream().filter(x -> Splits.heldOut(7, x, 0.25)).toList();
        assertEquals(expected, valid);
        assertEquals(TEXTS.size(), valid.size() + train.size());
        TreeSet<String> union = new TreeSet<>(valid);
        union.addAll(train);
        assertEquals(new TreeSet<>(TEXTS), union);
        // a quarter, give or take the hash's spread
        assertTrue(valid.size() > 70 && valid.size() < 130, "validation " + valid.size());
        assertEquals(valid, Part.VALIDATION.twoWay(sc.parallelize(TEXTS, 2), 7, 0.25, x -> x).collect());
        assertEquals("", s.skipped());
    }

    @Test
    void aSeparateValidationCorpusLeavesAllOfTrainForTraining() {
        Splits.TrainValidation<String> s = Splits.trainValidation(SplitsTest::corpus, "train", "valid", 7, 0.25,
                x -> x);
        assertEquals(TEXTS, s.train().collect());
        assertEquals(List.of("other a", "other b"), s.validation().collect());
    }
}
