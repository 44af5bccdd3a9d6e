package io.sparkrnn.driver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        assertEquals(valid, Part.VALIDATION.split(sc.parallelize(TEXTS, 2), 7, 0.25, 0, x -> x).collect());
        assertEquals("", s.skipped());
    }

    @Test
    void aSeparateValidationCorpusLeavesAllOfTrainForTraining() {
        Splits.TrainValidation<String> s = Splits.trainValidation(SplitsTest::corpus, "train", "valid", 7, 0.25,
                x -> x);
        assertEquals(TEXTS, s.train().collect());
        assertEquals(List.of("other a", "other b"), s.validation().collect());
    }

    @Test
    void aTestPartIsCutBesideTheValidationPartWhichStaysAsItWas() {
        Corpus<String> all = corpus("train");
        Splits.TrainValidation<String> twoWay = Splits.trainValidation(all, SplitsTest::corpus, "", 7, 0.25, 0,
                x -> x);
        Splits.TrainValidation<String> s = Splits.trainValidation(all, SplitsTest::corpus, "", 7, 0.25, 0.2,
                x -> x);
        List<String> valid = s.validation().collect();
        List<String> train = s.train().collect();
        List<String> test = Part.TEST.split(sc.parallelize(TEXTS, 2), 7, 0.25, 0.2, x -> x).collect();
        // the validation part is the two-way split's; the test part is taken from its training part
        assertEquals(twoWay.validation().collect(), valid);
        List<String> expectedTest = TEXTS.stream().filter(x -> !Splits.heldOut(7, x, 0.25)
                && Splits.heldOut(7, x, 0.45)).toList();
        assertEquals(expectedTest, test);
        assertEquals(twoWay.train().collect().stream().filter(x -> !test.contains(x)).toList(), train);
        // disjoint and together all of the corpus
        TreeSet<String> union = new TreeSet<>(valid);
        union.addAll(train);
        union.addAll(test);
        assertEquals(new TreeSet<>(TEXTS), union);
        assertEquals(TEXTS.size(), valid.size() + train.size() + test.size());
        // a fifth of 400, give or take the hash's spread; the same on another partitioning
        assertTrue(test.size() > 55 && test.size() < 105, "test " + test.size());
        assertEquals(test, Part.TEST.split(sc.parallelize(TEXTS, 5), 7, 0.25, 0.2, x -> x).collect());
        assertEquals(TEXTS, Part.ALL.split(sc.parallelize(TEXTS, 2), 7, 0.25, 0.2, x -> x).collect());
    }

    @Test
    void aTwoWaySplitHasNoTestPartAndANamedValidationCorpusTakesNone() {
        assertThrows(IllegalArgumentException.class,
                () -> Part.TEST.split(sc.parallelize(TEXTS, 2), 7, 0.25, 0, x -> x));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Splits.trainValidation(corpus("train"), SplitsTest::corpus, "valid", 7, 0.25, 0.1, x -> x));
        assertTrue(e.getMessage().contains("no test part"), e.getMessage());
    }
}
