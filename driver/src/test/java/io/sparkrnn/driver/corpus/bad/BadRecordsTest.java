package io.sparkrnn.driver.corpus.bad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.classify.ClassificationReader;
import io.sparkrnn.driver.corpus.classify.LabelledText;
import io.sparkrnn.driver.corpus.forecast.ForecastReader;
import io.sparkrnn.driver.corpus.pairs.PairReader;
import io.sparkrnn.driver.corpus.pairs.TextPair;
import io.sparkrnn.driver.corpus.tagging.TaggingReader;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every bad-record reason on hand-made files, the bad-fraction limit, and missing or empty inputs. */
class BadRecordsTest extends SparkCorpusTest {

    private static List<String> examples(BadReport r) {
        return r.examples().stream().map(BadReport.Entry::toString).map(s -> s.replaceFirst("^file:/[^:]*/", ""))
                .collect(Collectors.toList());
    }

    @Test
    void wrongColumnCountAndEmptyTarget() {
        Corpus<TextPair> c = PairReader.tsv(sc, broken("pairs-broken.tsv"), TokenUnit.CHARS, TokenUnit.WORDS, 1.0);
        assertEquals(2, c.count());
        assertEquals(List.of("pairs-broken.tsv:2: wrong column count (expected 2 TAB-separated columns, found 3)",
                "pairs-broken.tsv:3: empty target"), examples(c.bad()));
    }

    @Test
    void aSeriesStopsAtItsFirstBadRowWhateverTheTolerance() {
        // a tolerance of 1.0 would skip both rows of any other corpus: a series cannot skip a row
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("year", "month", "date_of_month"),
                List.of("births"), List.of("births"), 1, 1, 1.0, 0.0);
        CorpusException e = assertThrows(CorpusException.class,
                () -> ForecastReader.read(sc, broken("births-broken.csv"), spec));
        assertTrue(e.getMessage().contains("births-broken.csv:4: wrong column count (expected 5, found 4)")
                && e.getMessage().contains("births-broken.csv:5: unparsable number (column births = 'n/a')")
                && e.getMessage().contains("cannot skip a row"), e.getMessage());
    }

    @Test
    void invalidUtf8NoTabAndEmptyLabel() {
        Corpus<LabelledText> c = ClassificationReader.tsv(sc, broken("labels-broken.tsv"), 1.0);
        assertEquals(3, c.count());
        assertEquals(List.of("labels-broken.tsv:3: wrong column count (expected label<TAB>text)",
                "labels-broken.tsv:4: empty target (empty label)", "labels-broken.tsv:6: invalid UTF-8"),
                examples(c.bad()));
        assertEquals(1, c.bad().count(BadReason.INVALID_UTF8));
        assertTrue(c.records().map(LabelledText::text).collect().contains("café ok"));
    }

    @Test
    void tokenTagMismatchAndConllColumns() {
        assertEquals(List.of("brown-broken:5: token/tag count mismatch (token 4 'tagless' is not word/TAG)"),
                examples(TaggingReader.brown(sc, broken("brown-broken"), false, 1.0).bad()));
        assertEquals(List.of("conll-broken.txt:9: wrong column count (expected at least 4 columns, found 2)"),
                examples(TaggingReader.conll(sc, broken("conll-broken.txt"), 0, 3, 1.0).bad()));
    }

    @Test
    void tooManyBadRecordsStopsWithTheReport() {
        CorpusException e = assertThrows(CorpusException.class,
                () -> PairReader.tsv(sc, broken("pairs-broken.tsv"), TokenUnit.CHARS, TokenUnit.WORDS, 0.001));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("2 of 4 records are bad (50.0000%), over the maximum of 0.1000%"),
                e.getMessage());
        assertTrue(e.getMessage().contains("wrong column count=1 empty target=1"), e.getMessage());
        assertTrue(e.getMessage().contains("pairs-broken.tsv:2: wrong column count"), e.getMessage());
        assertTrue(e.getMessage().contains("pairs-broken.tsv:3: empty target"), e.getMessage());
        // exactly at the limit passes
        assertEquals(2, PairReader.tsv(sc, broken("pairs-broken.tsv"), TokenUnit.CHARS, TokenUnit.WORDS, 0.5).count());
    }

    @Test
    void missingEmptyAndUnmatchedPathsAreClearErrors() {
        String dir = broken("empty.tsv").replaceAll("/empty\\.tsv$", "");
        CorpusException missing = assertThrows(CorpusException.class,
                () -> PairReader.tsv(sc, dir + "/no-such-file.tsv", TokenUnit.CHARS, TokenUnit.WORDS, 0.001));
        assertTrue(missing.getMessage().matches("corpus path .*/no-such-file\\.tsv does not exist"),
                missing.getMessage());
        CorpusException glob = assertThrows(CorpusException.class,
                () -> PairReader.tsv(sc, dir + "/*.nothing", TokenUnit.CHARS, TokenUnit.WORDS, 0.001));
        assertTrue(glob.getMessage().matches("corpus path .*/\\*\\.nothing matches no files"), glob.getMessage());
        CorpusException emptyDir = assertThrows(CorpusException.class,
                () -> PairReader.tsv(sc, dir + "/empty-dir", TokenUnit.CHARS, TokenUnit.WORDS, 0.001));
        assertTrue(emptyDir.getMessage().endsWith("matches only empty directories"), emptyDir.getMessage());
        CorpusException empty = assertThrows(CorpusException.class,
                () -> PairReader.tsv(sc, dir + "/empty.tsv", TokenUnit.CHARS, TokenUnit.WORDS, 0.001));
        assertTrue(empty.getMessage().matches("corpus .*/empty\\.tsv has no usable records \\(it is empty\\)"),
                empty.getMessage());
    }
}
