package io.sparkrnn.driver.corpus.forecast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.SparkCorpusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FutureWindowTest extends SparkCorpusTest {
    @TempDir
    Path tmp;

    /** Ten rows 2020-01-01 (a Wednesday) to 2020-01-10 (a Friday), written in reverse order; v = 1..10. */
    private String daily() throws Exception {
        StringBuilder sb = new StringBuilder("date,t,v\n");
        for (int i = 9; i >= 0; i--) {
            sb.append(LocalDate.of(2020, 1, 1).plusDays(i)).append(',').append(i + 1).append(',').append(i + 1)
                    .append('\n');
        }
        Path csv = tmp.resolve("s.csv");
        Files.writeString(csv, sb.toString());
        return csv.toString();
    }

    @Test
    void theLastRowsWithTheFutureDaysCalendars() throws Exception {
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("date"), List.of("v"), List.of("v"), 3, 2, 1.0,
                0.0, List.of("day-of-week"), 0, 0);
        ForecastReader.Series s = ForecastReader.read(sc, daily(), spec);
        FutureWindow f = FutureWindow.of(s, spec);
        assertNull(f.reason());
        assertEquals(List.of("2020-01-11", "2020-01-12"), f.times());
        assertEquals(7, f.window().start());
        Normalizer n = s.normalizer();
        // step t: v of row 7 + t (8, 9, 10), then the weekday of the row two later: Friday, Saturday, Sunday
        float[] expected = new float[3 * 8];
        for (int t = 0; t < 3; t++) {
            expected[t * 8] = n.apply(0, 8 + t);
            expected[t * 8 + 1 + 4 + t] = 1;
        }
        assertArrayEquals(expected, f.window().inputs(), 1e-6f);
        assertEquals(2, f.window().targets().length);
        assertTrue(Float.isNaN(f.window().targets()[0]) && Float.isNaN(f.window().targets()[1]));
    }

    @Test
    void timeColumnsWithoutADateGiveNoWindowAndSayWhy() throws Exception {
        ForecastReader.Spec spec = new ForecastReader.Spec(List.of("t"), List.of("v"), List.of("v"), 3, 1, 1.0,
                0.0);
        FutureWindow f = FutureWindow.of(ForecastReader.read(sc, daily(), spec), spec);
        assertNull(f.window());
        assertEquals(List.of(), f.times());
        assertEquals("the time columns [t] give no date (10), so the steps after the data cannot be dated",
                f.reason());
    }
}
