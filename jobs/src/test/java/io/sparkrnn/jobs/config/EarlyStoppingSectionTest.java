package io.sparkrnn.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which figure picks the best round for each task, which way it is better, and what counts as an improvement. */
class EarlyStoppingSectionTest {
    private static EarlyStoppingSection early(String conf, String... sets) {
        return JobSettings.of(JobConfig.load(conf == null ? null : JobSettingsTest.conf(conf), List.of(sets))).early();
    }

    @Test
    void eachTaskWatchesItsOwnValidationFigureByDefault() {
        assertEquals(new EarlyStoppingSection("bits_per_char", true, 0, 0.0, true), early("conf/char-lm.conf"));
        assertEquals("bits_per_word", early("conf/char-lm.conf", "data.tokens=word").metric());
        assertEquals(new EarlyStoppingSection("accuracy", false, 0, 0.0, true), early("conf/brown-tagger.conf"));
        assertEquals("accuracy", early("conf/spam-classifier.conf").metric());
        assertEquals(new EarlyStoppingSection("mae", true, 0, 0.0, true), early("conf/births-forecast.conf"));
        assertEquals("per", early("conf/cmudict-g2p.conf").metric());
        assertEquals("ter", early("conf/translate.conf").metric());
    }

    @Test
    void anotherFigureOfTheValidationWithItsDirection() {
        EarlyStoppingSection f1 = early("conf/brown-tagger.conf", "train.early-stopping.metric=macro_f1",
                "train.early-stopping.patience=3", "train.early-stopping.min-delta=0.001", "train.final-model=last");
        assertEquals(new EarlyStoppingSection("macro_f1", false, 3, 0.001, false), f1);
        assertEquals(new EarlyStoppingSection("bleu", false, 0, 0.0, true), early("conf/translate.conf",
                "train.early-stopping.metric=bleu"));
        assertEquals(new EarlyStoppingSection("chrf", false, 0, 0.0, true), early("conf/translate.conf",
                "train.early-stopping.metric=chrf"));
        assertTrue(early("conf/births-forecast.conf", "train.early-stopping.metric=rmse").lowerIsBetter());
        assertTrue(early("conf/char-lm.conf", "data.tokens=word", "train.early-stopping.metric=perplexity")
                .lowerIsBetter());
    }

    @Test
    void aFigureTheTasksValidationLacksIsRefusedListingTheAllowedOnes() {
        ConfigException lm = assertThrows(ConfigException.class, () -> early("conf/char-lm.conf",
                "train.early-stopping.metric=perplexity"));
        assertTrue(lm.getMessage().contains("train.early-stopping.metric = perplexity: the validation of task = lm "
                + "gives bits_per_char"), lm.getMessage());
        ConfigException g2p = assertThrows(ConfigException.class, () -> early("conf/cmudict-g2p.conf",
                "train.early-stopping.metric=chrf"));
        assertTrue(g2p.getMessage().contains("gives per, wer, bleu"), g2p.getMessage());
        ConfigException tag = assertThrows(ConfigException.class, () -> early("conf/brown-tagger.conf",
                "train.early-stopping.metric=loss"));
        assertTrue(tag.getMessage().contains("task = tag gives accuracy, macro_f1"), tag.getMessage());
    }

    @Test
    void anImprovementIsBetterByMoreThanTheMinimumChange() {
        EarlyStoppingSection lower = new EarlyStoppingSection("mae", true, 2, 0.5, true);
        assertTrue(lower.improves(10.0, null), "the first validation is the best so far");
        assertTrue(lower.improves(9.4, 10.0));
        assertFalse(lower.improves(9.5, 10.0), "by exactly min-delta: no improvement");
        assertFalse(lower.improves(10.1, 10.0));
        EarlyStoppingSection higher = new EarlyStoppingSection("accuracy", false, 0, 0.0, true);
        assertTrue(higher.improves(0.81, 0.8));
        assertFalse(higher.improves(0.8, 0.8), "a tie keeps the earlier round");
        assertFalse(higher.improves(0.79, 0.8));
        assertFalse(higher.improves(Double.NaN, null), "NaN is never the best");
    }
}
