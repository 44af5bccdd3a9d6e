package io.sparkrnn.driver.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForecastReaderTest extends SparkCorpusTest {
    static final String BIRTHS = sample("us-births/us-births.csv");

    @Test
    void birthsSplitByTimeWithTrainOnlyNormalisation() {
        int w = 28;
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("year", "month", "date_of_month"),
                List.of("births", "day_of_week"), List.of("births"), w, 1, 0.7, 0.15, 0.0);
        ForecastReader.Series s = ForecastReader.read(sc, BIRTHS, spec);
        assertEquals(7305, s.rows());
        long nTrain = (long) Math.floor(7305 * 0.7);
        long nVal = (long) Math.floor(7305 * 0.15);
        assertEquals(nTrain, s.trainRows());
        assertEquals(nVal, s.validationRows());
        assertEquals(nTrain - w, s.train().count());
        assertEquals(nVal - w, s.validation().count());
        assertEquals(7305 - nTrain - nVal - w, s.test().count());

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
        // no window crosses into validation; validation windows start at nTrain
        assertEquals(nTrain - w - 1, s.train().map(ForecastWindow::start).reduce(Math::max));
        assertEquals(nTrain, s.validation().map(ForecastWindow::start).reduce(Math::min));
        assertEquals(nTrain + nVal, s.test().map(ForecastWindow::start).reduce(Math::min));

        Normalizer back = Normalizer.fromJson(s.normalizer().toJson());
        assertArrayEquals(s.normalizer().mean(), back.mean());
        assertArrayEquals(s.normalizer().std(), back.std());
        assertArrayEquals(s.normalizer().columns(), back.columns());
        assertTrue(s.normalizer().toJson().startsWith("{\"format\":\"spark-rnn-normalizer\",\"version\":1"));
    }
}
