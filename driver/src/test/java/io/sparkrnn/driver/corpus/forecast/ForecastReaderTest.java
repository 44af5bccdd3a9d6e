package io.sparkrnn.driver.corpus.forecast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForecastReaderTest extends SparkCorpusTest {
    static final String BIRTHS = sample("us-births/us-births.csv");

    @Test
    void birthsSplitByTimeWithTrainOnlyNormalisation() {
        int w = 28;
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("year", "month", "date_of_month"),
                List.of("births", "day_of_week"), List.of("births"), w, 1, 0.7, 0.15);
        ForecastReader.Series s = ForecastReader.read(sc, BIRTHS, spec);
        assertEquals(7305, s.rows());
        long nTrain = (long) Math.floor(7305 * 0.7);
        long nVal = (long) Math.floor(7305 * 0.15);
        assertEquals(nTrain, s.trainRows());
        assertEquals(nVal, s.validationRows());
        // training windows lie inside the training part; validation and test windows predict every row of their
        // part, the first ones reading inputs from the part before
        assertEquals(nTrain - w, s.train().count());
        assertEquals(nVal, s.validation().count());
        assertEquals(7305 - nTrain - nVal, s.test().count());

        // statistics from the first nTrain rows (1969-01-01 onwards) only, computed here independently
        double sum = 0;
        double sq = 0;
        List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(BIRTHS));
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
        for (int i = 1; i <= nTrain; i++) {
            double b = Double.parseDouble(lines.get(i).split(",")[4]);
            sum += b;
            sq += b * b;
        }
        double mean = sum / nTrain;
        double std = Math.sqrt(sq / nTrain - mean * mean);
        assertEquals(mean, s.normalizer().mean()[0], 1e-6);
        assertEquals(std, s.normalizer().std()[0], 1e-6);

        // windows are in time order: the first training window starts at row 0 and predicts row w
        ForecastWindow first = s.train().filter(x -> x.start() == 0).first();
        assertEquals(w * 2, first.inputs().length);
        double birthsW = Double.parseDouble(lines.get(1 + w).split(",")[4]);
        assertEquals(birthsW, s.normalizer().invert(0, first.targets()[0]), 1e-2);
        // 1969-01-01 was a Wednesday (3)
        assertEquals(3, s.normalizer().invert(1, first.inputs()[1]), 1e-4);
        // no training window predicts a validation row; the first validation window predicts row nTrain
        assertEquals(nTrain - w - 1, s.train().map(ForecastWindow::start).reduce(Math::max));
        assertEquals(nTrain - w, s.validation().map(ForecastWindow::start).reduce(Math::min));
        assertEquals(nTrain + nVal - w - 1, s.validation().map(ForecastWindow::start).reduce(Math::max));
        assertEquals(nTrain + nVal - w, s.test().map(ForecastWindow::start).reduce(Math::min));

        Normalizer back = Normalizer.fromJson(s.normalizer().toJson());
        assertArrayEquals(s.normalizer().mean(), back.mean());
        assertArrayEquals(s.normalizer().std(), back.std());
        assertArrayEquals(s.normalizer().columns(), back.columns());
        assertTrue(s.normalizer().toJson().startsWith("{\"format\":\"spark-rnn-normalizer\",\"version\":1"));
    }

    @Test
    void lastYearAsTestWithCalendarOfThePredictedDay() throws Exception {
        int w = 14;
        int h = 2;
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("year", "month", "date_of_month"),
                List.of("births"), List.of("births"), w, h, 0.5, 0.0, List.of("day-of-week", "us-holidays"),
                365, 366);
        assertEquals(1 + 7 + 12, spec.stepWidth());
        ForecastReader.Series s = ForecastReader.read(sc, BIRTHS, spec);
        // 1988 (a leap year) is the test part, 1987 validation, 1969-1986 training
        assertEquals(7305 - 731, s.trainRows());
        assertEquals(365, s.validationRows());
        assertEquals(366 - h + 1, s.test().count());
        assertEquals(365 - h + 1, s.validation().count());
        assertEquals(7305 - 731 - w - h + 1, s.train().count());
        List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(BIRTHS));
        double sum = 0;
        for (int i = 1; i <= 7305 - 731; i++) {
            sum += Double.parseDouble(lines.get(i).split(",")[4]);
        }
        assertEquals(sum / (7305 - 731), s.normalizer().mean()[0], 1e-6);

        // the test window predicting 1988-11-24 (Thanksgiving, a Thursday) and 11-25: row 7305 - 38 is 11-24
        long first = 7305 - 38;
        assertEquals("1988,11,24,4,", lines.get(1 + (int) first).substring(0, 13));
        ForecastWindow x = s.test().filter(v -> v.start() == first - w).first();
        int width = spec.stepWidth();
        assertEquals(w * width, x.inputs().length);
        assertEquals(Double.parseDouble(lines.get(1 + (int) first).split(",")[4]),
                s.normalizer().invert(0, x.targets()[0]), 0.01);
        assertEquals(Double.parseDouble(lines.get(2 + (int) first).split(",")[4]),
                s.normalizer().invert(0, x.targets()[1]), 0.01);
        // input step t carries the calendar of row t + H: step W - 2 is Thursday 11-24, Thanksgiving (index 8)
        int thu = (w - 2) * width;
        float[] cal = java.util.Arrays.copyOfRange(x.inputs(), thu + 1, thu + width);
        float[] expected = new float[19];
        expected[3] = 1;
        expected[7 + 8] = 1;
        assertArrayEquals(expected, cal);
        // step W - 1 is Friday 11-25, the day after a holiday; its births value is the row of 11-23
        int fri = (w - 1) * width;
        assertEquals(1, x.inputs()[fri + 1 + 4]);
        assertEquals(1, x.inputs()[fri + 1 + 7 + 10]);
        assertEquals(0, x.inputs()[fri + 1 + 7 + 11]);
        assertEquals(Double.parseDouble(lines.get((int) first).split(",")[4]),
                s.normalizer().invert(0, x.inputs()[fri]), 0.01);

        // residual targets over the seasonal naive value (a week earlier), and back
        SeasonalNaive naive = new SeasonalNaive(w, width, 7, new int[] {0});
        assertEquals(w - 7, naive.step(0));
        assertEquals(w - 6, naive.step(1));
        ForecastWindow r = naive.residual(x);
        for (int o = 0; o < h; o++) {
            double weekBefore = Double.parseDouble(lines.get(1 + (int) first + o - 7).split(",")[4]);
            assertEquals(weekBefore, s.normalizer().invert(0, naive.at(x, o, 0)), 0.01);
            assertEquals(x.targets()[o], r.targets()[o] + naive.at(x, o, 0), 1e-6);
        }
    }

    @Test
    void forecastingFromTypedColumnsWithAnUnparsableValue(@TempDir Path dir) {
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("year", "month", "date_of_month"),
                List.of("births", "day_of_week"), List.of("births"), 28, 1, 0.7, 0.15);
        ForecastReader.Series ref = ForecastReader.read(sc, BIRTHS, spec);
        Dataset<Row> csv = spark().read().option("header", "true").option("inferSchema", "true").csv(BIRTHS);
        // births as text, so that one value can be unparsable; a shuffled row order (time order is restored)
        Dataset<Row> df = csv.selectExpr("year", "month", "date_of_month", "day_of_week",
                "cast(births as string) as births").orderBy(org.apache.spark.sql.functions.rand(7));
        Dataset<Row> broken = spark().createDataFrame(List.of(RowFactory.create(2100, 1, 1, 3, "n/a")),
                df.schema());
        String path = dir.resolve("births").toString();
        df.repartition(3).write().parquet(dir.resolve("good").toString());
        df.union(broken).repartition(3).write().parquet(path);
        ForecastReader.Series s = ForecastReader.readParquet(sc, dir.resolve("good").toString(), spec);
        assertEquals(ref.rows(), s.rows());
        assertArrayEquals(ref.normalizer().mean(), s.normalizer().mean(), 1e-9);
        assertArrayEquals(ref.normalizer().std(), s.normalizer().std(), 1e-9);
        assertEquals(windows(ref), windows(s));
        // the same rows with one unparsable value: a series cannot skip it
        CorpusException e = assertThrows(CorpusException.class, () -> ForecastReader.readParquet(sc, path, spec));
        assertTrue(e.getMessage().contains("unparsable number (column births = 'n/a')")
                && e.getMessage().contains("cannot skip a row"), e.getMessage());
    }

    @Test
    void anEmptyCellStopsTheSeriesNamingTheLine(@TempDir Path dir) throws java.io.IOException {
        List<String> lines = new java.util.ArrayList<>(java.nio.file.Files.readAllLines(Path.of(BIRTHS)));
        String[] row = lines.get(100).split(",");
        row[4] = "";
        lines.set(100, String.join(",", row));
        Path csv = dir.resolve("births.csv");
        java.nio.file.Files.write(csv, lines);
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("year", "month", "date_of_month"),
                List.of("births"), List.of("births"), 28, 1, 0.7, 0.15);
        CorpusException e = assertThrows(CorpusException.class, () -> ForecastReader.read(sc, csv.toString(), spec));
        assertTrue(e.getMessage().contains("births.csv:101: unparsable number (column births = '')"), e.getMessage());
    }

    @Test
    void aTimeTwiceIsRefusedNamingIt(@TempDir Path dir) throws java.io.IOException {
        List<String> lines = new java.util.ArrayList<>(java.nio.file.Files.readAllLines(Path.of(BIRTHS)));
        lines.add(lines.get(200));
        Path csv = dir.resolve("births.csv");
        java.nio.file.Files.write(csv, lines);
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("year", "month", "date_of_month"),
                List.of("births"), List.of("births"), 28, 1, 0.7, 0.15);
        String[] t = lines.get(200).split(",");
        CorpusException e = assertThrows(CorpusException.class, () -> ForecastReader.read(sc, csv.toString(), spec));
        assertTrue(e.getMessage().contains("2 rows have the time year month date_of_month = " + Integer.parseInt(t[0])
                + " " + Integer.parseInt(t[1]) + " " + Integer.parseInt(t[2])), e.getMessage());
    }

    private static List<String> windows(ForecastReader.Series s) {
        return s.validation().collect().stream().map(w -> w.start() + ":" + Arrays.toString(w.inputs()) + "->"
                + Arrays.toString(w.targets())).sorted().collect(Collectors.toList());
    }
}
