package io.sparkrnn.driver.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet files written here from the shipped samples give the same records as the text readers. */
class ParquetReadersTest extends SparkCorpusTest {
    static final StructType STRINGS2 = new StructType().add("a", DataTypes.StringType).add("b", DataTypes.StringType);

    static SparkSession spark() {
        return SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
    }

    /** Writes {@code rows} in order as {@code files} Parquet files (part-00000 ... in row order). */
    static String write(Path dir, List<Row> rows, StructType schema, int files) {
        String out = dir.resolve("parquet").toString();
        spark().createDataFrame(sc.parallelize(rows, files), schema).write().parquet(out);
        return out;
    }

    static String tagged(TaggedSentence s) {
        return String.join(" ", s.tokens()) + " | " + String.join(" ", s.tags());
    }

    @Test
    void taggingFromArrayAndStringColumnsWithBadRows(@TempDir Path dir) {
        List<TaggedSentence> ref = TaggingReader.brown(sc, TaggingReaderTest.BROWN, false, 0.0).records().collect();
        List<Row> rows = new ArrayList<>();
        for (TaggedSentence s : ref) {
            rows.add(RowFactory.create(s.tokens(), String.join(" ", s.tags())));
        }
        rows.add(RowFactory.create(new String[] {"a", "b"}, "X"));   // 2 tokens, 1 tag
        rows.add(RowFactory.create(new String[] {"a", null}, "X Y")); // a null token
        rows.add(RowFactory.create(null, "X"));
        StructType schema = new StructType().add("tokens", DataTypes.createArrayType(DataTypes.StringType))
                .add("tags", DataTypes.StringType);
        String path = write(dir, rows, schema, 2);
        Corpus<TaggedSentence> c = ParquetReaders.tagging(sc, path, "tokens", "tags", 0.01);
        assertEquals(ref.stream().map(ParquetReadersTest::tagged).sorted().toList(),
                c.records().map(ParquetReadersTest::tagged).collect().stream().sorted().toList());
        assertEquals(1, c.bad().count(BadReason.TOKEN_TAG_MISMATCH));
        assertEquals(2, c.bad().count(BadReason.NULL_VALUE));
        // the bad rows are the last three of the second file
        int second = rows.size() - rows.size() / 2;
        String ex = c.bad().examples().get(0).toString();
        assertTrue(ex.contains("/part-00001-") && ex.contains(":" + (second - 2) + ": token/tag count mismatch"), ex);

        CorpusException e = assertThrows(CorpusException.class, () -> ParquetReaders.tagging(sc, path, "words",
                "tags", 0.01));
        assertTrue(e.getMessage().contains("has no column 'words'"), e.getMessage());
    }

    @Test
    void pairsFromCmudict(@TempDir Path dir) {
        List<TextPair> ref = PairReader.cmudict(sc, PairReaderTest.CMU, true, 0.0).records().collect();
        List<Row> rows = new ArrayList<>();
        for (TextPair p : ref) {
            rows.add(RowFactory.create(String.join("", p.source()), String.join(" ", p.target())));
        }
        rows.add(RowFactory.create("ABC", " "));
        String path = write(dir, rows, STRINGS2, 3);
        Corpus<TextPair> c = ParquetReaders.pairs(sc, path, "a", "b", TokenUnit.CHARS, TokenUnit.WORDS, 0.01);
        assertEquals(ref.stream().map(p -> List.of(p.source()) + "=" + List.of(p.target())).sorted().toList(),
                c.records().map(p -> List.of(p.source()) + "=" + List.of(p.target())).collect().stream().sorted()
                        .toList());
        assertEquals(1, c.bad().count(BadReason.EMPTY_TARGET));
    }

    @Test
    void classificationFromSpamAssassin(@TempDir Path dir) {
        List<LabelledText> ref = ClassificationReader.folders(sc, sample("spam-assassin"),
                ClassificationReaderTest.SPAM_FOLDERS, 0.0).records().collect();
        List<Row> rows = new ArrayList<>();
        for (LabelledText d : ref) {
            rows.add(RowFactory.create(d.label(), d.text()));
        }
        rows.add(RowFactory.create("spam", null));
        String path = write(dir, rows, STRINGS2, 2);
        Corpus<LabelledText> c = ParquetReaders.classification(sc, path, "a", "b", 0.01);
        assertEquals(ref.stream().map(d -> d.label() + "\t" + d.text()).sorted().toList(),
                c.records().map(d -> d.label() + "\t" + d.text()).collect().stream().sorted().toList());
        assertEquals(1, c.bad().count(BadReason.NULL_VALUE));
        assertTrue(c.records().first().file().contains("part-0000"));
    }

    @Test
    void forecastingFromTypedColumnsWithAnUnparsableValue(@TempDir Path dir) {
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("year", "month", "date_of_month"),
                List.of("births", "day_of_week"), List.of("births"), 28, 1, 0.7, 0.15, 0.001);
        ForecastReader.Series ref = ForecastReader.read(sc, ForecastReaderTest.BIRTHS, spec);
        Dataset<Row> csv = spark().read().option("header", "true").option("inferSchema", "true")
                .csv(ForecastReaderTest.BIRTHS);
        // births as text, so that one value can be unparsable; a shuffled row order (time order is restored)
        Dataset<Row> df = csv.selectExpr("year", "month", "date_of_month", "day_of_week",
                "cast(births as string) as births").orderBy(org.apache.spark.sql.functions.rand(7));
        Dataset<Row> broken = spark().createDataFrame(List.of(RowFactory.create(2100, 1, 1, 3, "n/a")),
                df.schema());
        String path = dir.resolve("births").toString();
        df.union(broken).repartition(3).write().parquet(path);
        ForecastReader.Series s = ParquetReaders.forecast(sc, path, spec);
        assertEquals(ref.rows(), s.rows());
        assertArrayEquals(ref.normalizer().mean(), s.normalizer().mean(), 1e-9);
        assertArrayEquals(ref.normalizer().std(), s.normalizer().std(), 1e-9);
        assertEquals(windows(ref), windows(s));
        assertEquals(1, s.bad().count(BadReason.UNPARSABLE_NUMBER));
    }

    private static List<String> windows(ForecastReader.Series s) {
        return s.validation().collect().stream().map(w -> w.start() + ":" + Arrays.toString(w.inputs()) + "->"
                + Arrays.toString(w.targets())).sorted().collect(Collectors.toList());
    }

    @Test
    void languageModelFromATextColumnEqualsTheTextReader(@TempDir Path dir) throws Exception {
        String moby = sample("moby-dick/moby-dick.txt");
        List<String> lines = Files.readAllLines(Path.of(moby));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            rows.add(RowFactory.create(lines.get(i), "line " + i));
            if (i == 100) {
                rows.add(RowFactory.create(null, "a null text"));
            }
        }
        String path = write(dir, rows, STRINGS2, 3);
        LmOptions o = LmOptions.chars().withMaxBadFraction(0.01);
        LmCorpus fromText = LmTextReader.read(sc, moby, o);
        LmCorpus c = LmTextReader.readParquet(sc, path, "a", o);
        assertEquals(fromText.tokens(), c.tokens());
        assertEquals(fromText.codePoints(), c.codePoints());
        assertArrayEquals(LmTextReaderTest.trainStream(fromText), LmTextReaderTest.trainStream(c));
        assertArrayEquals(fromText.validationTokens(1 << 20), c.validationTokens(1 << 20));
        assertEquals(1, c.bad().count(BadReason.NULL_VALUE));
        assertTrue(c.bad().examples().get(0).toString().endsWith(":102: null value"), c.bad().describe());
        fromText.unpersist();
        c.unpersist();
    }
}
