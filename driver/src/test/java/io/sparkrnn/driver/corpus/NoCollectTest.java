package io.sparkrnn.driver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A structural guard for "only vocabularies and counts reach the driver": every driver-side action in the corpus
 * package and its sub-packages is listed here, by file name, with what it brings back. A new
 * collect/take/first/... fails this test until it is reviewed and added. {@code lm.LmTextReaderHeapTest} proves it
 * for the language-model reader on a corpus several times larger than the heap.
 */
class NoCollectTest {
    static final Pattern ACTION = Pattern.compile(
            "\\.(collect|collectAsMap|take|takeOrdered|top|first|toLocalIterator|countByValue|countByKey|reduce"
                    + "|aggregate|treeAggregate|fold)\\(");
    static final List<String> ALLOWED = List.of(
            // (batch id, token count) pairs for the greedy placement: rows / B numbers
            "Batching.java: List<Tuple2<Long, Long>> sizes = batches.map(x -> new Tuple2<>(x.id(), x.tokens())).collect();",
            // four numbers per partition
            "Batching.java: }).collect();",
            // byte-pair encoding's word types with their counts: learned on the driver, one entry a distinct word
            "BpeLearner.java: .reduceByKey(Long::sum).collectAsMap();",
            // the baselines' confusion counts: two of classes x classes numbers
            "ClassificationBaselines.java: }).fold(new ClassCounts[] {new ClassCounts(classes), new ClassCounts(classes)}, (x, y) -> new ClassCounts[] {",
            // the training texts' label counts: one number a label
            "ClassificationBaselines.java: Map<String, Long> counts = texts.map(LabelledText::label).countByValue();",
            // the held-out confusion counts: classes x classes numbers
            "ClassificationData.java: }).reduce(ClassCounts::merge);",
            // the held-out forecast errors: a few sums
            "ForecastData.java: }).reduce(Errors::plus);",
            // the plotted forecasts of the held-out windows: at most SERIES_POINTS rows of four numbers
            "ForecastData.java: }).takeOrdered(SERIES_POINTS, ByRow.INSTANCE);",
            // the future window: the last two time stamps, then the last W rows of the series
            "FutureWindow.java: .collect());",
            "FutureWindow.java: Map<Long, float[]> rows = s.steps().filter(t -> t._1() >= n - w).collectAsMap();",
            // the validation tokens, only when asked and refused above a given size
            "LmCorpus.java: for (int[] piece : validation.collect()) {",
            // the unigram baseline's training counts: one number a vocabulary entry
            "LmCorpus.java: return train.map(p -> ((TokenStreamPartition) p).counts(v)).fold(new long[v], (a, b) -> {",
            // three counts per text split (tokens, good lines, dropped tokens)
            "LmTextReader.java: }).collect();",
            // tokens per training partition: P numbers
            "LmTextReader.java: List<Integer> lengths = train.map(d -> ((TokenStreamPartition) d).length()).collect();",
            // the most frequent tag of the training sentences, with its count
            "MostFrequentTag.java: .reduce(MostFrequentTag::better);",
            // the most-frequent-tag baseline's confusion counts: tags x tags numbers
            "MostFrequentTag.java: }).fold(new ClassCounts(classes), ClassCounts::merge);",
            // (batch id, token count) pairs of the seq2seq batches
            "PairBatching.java: List<Tuple2<Long, Long>> sizes = batches.map(x -> new Tuple2<>(x.id(), x.tokens())).collect();",
            // the fixed validation samples shown after each validation: SAMPLES sources with their references
            "Seq2SeqData.java: Samples samples = new Samples(validE.takeOrdered(SAMPLES, BySourceHash.INSTANCE), src, tgt, srcJoin, tgtJoin,",
            // the held-out error counts and BLEU n-gram sums (chrF's character n-gram sums too)
            "Seq2SeqData.java: }).reduce(Seq2SeqScores::merge);",
            // the copy-the-source baseline's BLEU and chrF sums
            "Seq2SeqData.java: }).reduce(TranslationScores::merge);",
            // one repeated time (key and count), only when a time appears twice
            "SeriesBuilder.java: .sortByKey().first();",
            // sums and sums of squares of the feature columns
            "SeriesBuilder.java: }).reduce((a, b) -> {",
            // the held-out confusion counts: tags x tags numbers
            "TaggingData.java: }).reduce(ClassCounts::merge);",
            // the kept vocabulary entries with their counts
            "Vocabulary.java: List<Tuple2<String, Long>> top = kept.takeOrdered(want, ByCount.INSTANCE);",
            // a warm start's unseen tokens: two numbers (distinct tokens, occurrences)
            "VocabularyGrowth.java: .fold(new long[2], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});");

    @Test
    void onlyReviewedDriverSideActions() throws Exception {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/sparkrnn/driver/corpus"))) {
            for (Path f : files.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::getFileName)).toList()) {
                for (String line : Files.readAllLines(f)) {
                    Matcher m = ACTION.matcher(line);
                    if (m.find() && !line.trim().startsWith("*") && !line.trim().startsWith("//")) {
                        found.add(f.getFileName() + ": " + line.trim());
                    }
                }
            }
        }
        assertEquals(ALLOWED, found);
    }
}
