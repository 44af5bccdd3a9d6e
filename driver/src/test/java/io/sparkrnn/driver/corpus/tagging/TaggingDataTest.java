package io.sparkrnn.driver.corpus.tagging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceSpec;
import org.junit.jupiter.api.Test;

/** What the tagger's data preparation tells the console. */
class TaggingDataTest extends SparkCorpusTest {

    @Test
    void skippedSentencesAreReportedWithTheirLine() {
        // brown-broken: three good sentences and one whose last token has no tag, tolerated at 50%
        TaggingSettings s = new TaggingSettings("brown", broken("brown-broken"), broken("brown-broken"),
                new TaggingSettings.Reading(0, 1, true, 0.5, false), 1, 0.0, 0.0, 1, 100, 10, 2, 1,
                (words, tags) -> SequenceSpec.tagger(words, 4, 0, CellType.LSTM, 4, 1, true, 0.0, tags),
                WarmVocabularies.NONE, 0);
        PreparedData d = TaggingData.prepare(sc, s);
        assertTrue(d.describe().contains("skipped 1 bad record")
                && d.describe().contains("brown-broken:5: token/tag count mismatch"), d.describe());
    }
}
