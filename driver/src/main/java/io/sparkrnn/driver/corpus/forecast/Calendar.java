package io.sparkrnn.driver.corpus.forecast;

import io.sparkrnn.driver.corpus.CorpusException;
import java.io.Serializable;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.List;

/**
 * Calendar covariates of a row's date, known in advance for any future day (so a forecast may read them for
 * the day it predicts). The date comes from the time columns: three integer columns (year, month, day of
 * month) or one ISO-8601 date column ({@code 1988-12-31}). Covariates, in the order named:
 * <ul>
 *   <li>{@code day-of-week}: 7 indicators, Monday first;</li>
 *   <li>{@code day-of-year}: {@code sin(2 pi k d / 365.25)} and {@code cos(2 pi k d / 365.25)} for
 *       {@code k = 1, 2}, d the day of the year (1-366): the yearly cycle and its first harmonic;</li>
 *   <li>{@code month}: 12 indicators, January first;</li>
 *   <li>{@code us-holidays}: one indicator per US federal holiday ({@link UsHolidays}, 10), then whether the
 *       day before and whether the day after is one of them (2).</li>
 * </ul>
 * Values are 0/1 or in [-1, 1] and are not standardised.
 */
public record Calendar(List<String> covariates) implements Serializable {
    /** The covariate names this class knows. */
    public static final List<String> NAMES = List.of("day-of-week", "day-of-year", "month", "us-holidays");

    public Calendar {
        for (String c : covariates) {
            if (!NAMES.contains(c)) {
                throw new IllegalArgumentException("unknown calendar covariate '" + c + "'; expected one of " + NAMES);
            }
        }
        covariates = List.copyOf(covariates);
    }

    /** C, values per row. */
    public int width() {
        int n = 0;
        for (String c : covariates) {
            n += size(c);
        }
        return n;
    }

    private static int size(String covariate) {
        return switch (covariate) {
            case "day-of-week" -> 7;
            case "day-of-year" -> 4;
            case "month" -> 12;
            default -> UsHolidays.NAMES.length + 2;
        };
    }

    /** The date of a row's time-column values; a {@link CorpusException} naming them when there is none. */
    public static LocalDate date(String[] time) {
        try {
            if (time.length == 3) {
                return LocalDate.of(Integer.parseInt(time[0]), Integer.parseInt(time[1]), Integer.parseInt(time[2]));
            }
            if (time.length == 1) {
                return LocalDate.parse(time[0]);
            }
        } catch (NumberFormatException | DateTimeException e) {
            throw new CorpusException("calendar covariates need a date in the time columns (year, month, day as "
                    + "integers, or one ISO date such as 1988-12-31), found " + String.join(",", time));
        }
        throw new CorpusException("calendar covariates need 3 time columns (year, month, day) or 1 ISO date column, "
                + "found " + time.length + " columns");
    }

    /** The covariates of {@code d}, {@code [C]}. */
    public float[] of(LocalDate d) {
        float[] v = new float[width()];
        int o = 0;
        for (String c : covariates) {
            switch (c) {
                case "day-of-week" -> v[o + d.getDayOfWeek().getValue() - 1] = 1;
                case "day-of-year" -> {
                    double a = 2 * Math.PI * d.getDayOfYear() / 365.25;
                    v[o] = (float) Math.sin(a);
                    v[o + 1] = (float) Math.cos(a);
                    v[o + 2] = (float) Math.sin(2 * a);
                    v[o + 3] = (float) Math.cos(2 * a);
                }
                case "month" -> v[o + d.getMonthValue() - 1] = 1;
                default -> {
                    int h = UsHolidays.of(d);
                    if (h >= 0) {
                        v[o + h] = 1;
                    }
                    v[o + UsHolidays.NAMES.length] = UsHolidays.of(d.minusDays(1)) >= 0 ? 1 : 0;
                    v[o + UsHolidays.NAMES.length + 1] = UsHolidays.of(d.plusDays(1)) >= 0 ? 1 : 0;
                }
            }
            o += size(c);
        }
        return v;
    }
}
