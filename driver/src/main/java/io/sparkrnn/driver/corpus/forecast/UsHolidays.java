package io.sparkrnn.driver.corpus.forecast;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;

/**
 * US federal holidays by name, on their observed dates (5 U.S.C. 6103): a fixed-date holiday that falls on a
 * Saturday is observed on the Friday before, on a Sunday the Monday after. The rules follow the calendar's
 * history: the Uniform Monday Holiday Act (effective 1971) moved Washington's Birthday (was February 22) and
 * Memorial Day (May 30) to Mondays, added Columbus Day (second Monday of October) and moved Veterans Day to the
 * fourth Monday of October for 1971-1977 (November 11 before and after); Martin Luther King Jr. Day exists
 * from 1986. They
 * are known in advance for any date, so they are legitimate covariates of a forecast.
 */
final class UsHolidays {
    /** The holidays, in calendar order; {@link #of} returns an index into this list. */
    public static final String[] NAMES = {"new-year", "king", "washington", "memorial", "independence", "labor",
        "columbus", "veterans", "thanksgiving", "christmas"};

    private UsHolidays() {
    }

    /** The index in {@link #NAMES} of the holiday observed on {@code d}, or -1. */
    public static int of(LocalDate d) {
        int y = d.getYear();
        // New Year's Day of y + 1 observed on Friday December 31 of y
        if (d.equals(observed(LocalDate.of(y, 1, 1))) || d.equals(observed(LocalDate.of(y + 1, 1, 1)))) {
            return 0;
        }
        LocalDate[] dates = {
            null,
            y >= 1986 ? nth(y, 1, DayOfWeek.MONDAY, 3) : null,
            y >= 1971 ? nth(y, 2, DayOfWeek.MONDAY, 3) : observed(LocalDate.of(y, 2, 22)),
            y >= 1971 ? LocalDate.of(y, 5, 31).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                : observed(LocalDate.of(y, 5, 30)),
            observed(LocalDate.of(y, 7, 4)),
            nth(y, 9, DayOfWeek.MONDAY, 1),
            y >= 1971 ? nth(y, 10, DayOfWeek.MONDAY, 2) : null,
            y >= 1971 && y <= 1977 ? nth(y, 10, DayOfWeek.MONDAY, 4) : observed(LocalDate.of(y, 11, 11)),
            nth(y, 11, DayOfWeek.THURSDAY, 4),
            observed(LocalDate.of(y, 12, 25)),
        };
        for (int i = 1; i < dates.length; i++) {
            if (d.equals(dates[i])) {
                return i;
            }
        }
        return -1;
    }

    private static LocalDate observed(LocalDate d) {
        return switch (d.getDayOfWeek()) {
            case SATURDAY -> d.minusDays(1);
            case SUNDAY -> d.plusDays(1);
            default -> d;
        };
    }

    private static LocalDate nth(int year, int month, DayOfWeek day, int n) {
        return LocalDate.of(year, month, 1).with(TemporalAdjusters.dayOfWeekInMonth(n, day));
    }
}
