package io.sparkrnn.driver.corpus.forecast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkrnn.driver.corpus.CorpusException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Observed US federal holidays against the published calendars (OPM) of the years checked. */
class UsHolidaysTest {
    private static List<String> year(int y) {
        List<String> out = new ArrayList<>();
        for (LocalDate d = LocalDate.of(y, 1, 1); d.getYear() == y; d = d.plusDays(1)) {
            int h = UsHolidays.of(d);
            if (h >= 0) {
                out.add(d.toString().substring(5) + " " + UsHolidays.NAMES[h]);
            }
        }
        return out;
    }

    @Test
    void nineteenEightyEightHasTenHolidays() {
        // 1988: King Day's third year; Christmas on a Sunday is observed on Monday 12-26
        assertEquals(List.of("01-01 new-year", "01-18 king", "02-15 washington", "05-30 memorial",
                "07-04 independence", "09-05 labor", "10-10 columbus", "11-11 veterans", "11-24 thanksgiving",
                "12-26 christmas"), year(1988));
    }

    @Test
    void beforeAndDuringTheMondayHolidayAct() {
        // 1970: fixed dates, no Columbus Day yet; May 30 was a Saturday (observed Friday 05-29)
        assertEquals(List.of("01-01 new-year", "02-23 washington", "05-29 memorial", "07-03 independence",
                "09-07 labor", "11-11 veterans", "11-26 thanksgiving", "12-25 christmas"),
                year(1970));
        // 1975: Veterans Day on the fourth Monday of October; no King Day yet
        assertEquals(List.of("01-01 new-year", "02-17 washington", "05-26 memorial", "07-04 independence",
                "09-01 labor", "10-13 columbus", "10-27 veterans", "11-27 thanksgiving", "12-25 christmas"),
                year(1975));
        // New Year's Day 1983 was a Saturday: observed on Friday 1982-12-31
        assertEquals("12-31 new-year", year(1982).get(year(1982).size() - 1));
    }

    @Test
    void calendarCovariatesOfADay() {
        Calendar c = new Calendar(List.of("day-of-week", "day-of-year", "month", "us-holidays"));
        assertEquals(7 + 4 + 12 + 12, c.width());
        // 1988-12-26 (Monday, Christmas observed, the day after Sunday 12-25 which is not itself observed)
        float[] v = c.of(Calendar.date(new String[] {"1988", "12", "26"}));
        float[] dow = {1, 0, 0, 0, 0, 0, 0};
        assertArrayEquals(dow, java.util.Arrays.copyOfRange(v, 0, 7));
        double a = 2 * Math.PI * 361 / 365.25;
        assertArrayEquals(new float[] {(float) Math.sin(a), (float) Math.cos(a), (float) Math.sin(2 * a),
            (float) Math.cos(2 * a)}, java.util.Arrays.copyOfRange(v, 7, 11));
        assertEquals(1, v[11 + 11]);
        float[] hol = new float[12];
        hol[9] = 1;
        assertArrayEquals(hol, java.util.Arrays.copyOfRange(v, 23, 35));
        assertEquals(LocalDate.of(1988, 2, 29), Calendar.date(new String[] {"1988-02-29"}));
        CorpusException e = assertThrows(CorpusException.class, () -> Calendar.date(new String[] {"1988", "2",
            "30"}));
        assertEquals("calendar covariates need a date in the time columns (year, month, day as integers, or one ISO"
                + " date such as 1988-12-31), found 1988,2,30", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Calendar(List.of("weekday")));
    }
}
