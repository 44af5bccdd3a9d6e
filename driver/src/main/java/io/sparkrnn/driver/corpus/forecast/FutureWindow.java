package io.sparkrnn.driver.corpus.forecast;

import io.sparkrnn.driver.corpus.CorpusException;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The window that forecasts the H steps after a series' last row (the real future): its inputs are the last W
 * rows' features, which are all observed, and the calendar covariates of the H days after the data, which are
 * known in advance; its targets are NaN. The future days are dated by the step between the last two rows'
 * dates (one day for daily data), so the time columns must give a date ({@link Calendar#date}); otherwise there
 * is no window and {@code reason} says why.
 *
 * @param window the window (start {@code rows - W}), standardised as the series' own windows; null when none
 * @param times the dates (ISO) of the H forecast steps; empty when none
 * @param reason why there is no window; null when there is one
 */
public record FutureWindow(ForecastWindow window, List<String> times, String reason) {
    /** The future window of {@code s}, read with {@code spec}. Collects W rows to the driver. */
    public static FutureWindow of(ForecastReader.Series s, ForecastReader.Spec spec) {
        long n = s.rows();
        int w = spec.window();
        int h = spec.horizon();
        int f = spec.featureColumns().size();
        Calendar cal = new Calendar(spec.calendar());
        int c = cal.width();
        List<scala.Tuple2<Long, String[]>> lastTimes = new ArrayList<>(s.times().filter(t -> t._1() >= n - 2)
                .collect());
        lastTimes.sort((a, b) -> Long.compare(a._1(), b._1()));
        LocalDate prev;
        LocalDate last;
        try {
            prev = Calendar.date(lastTimes.get(0)._2());
            last = Calendar.date(lastTimes.get(1)._2());
        } catch (CorpusException e) {
            return new FutureWindow(null, List.of(), "the time columns " + spec.timeColumns() + " give no date ("
                    + String.join(",", lastTimes.get(1)._2()) + "), so the steps after the data cannot be dated");
        }
        long step = ChronoUnit.DAYS.between(prev, last);
        List<String> times = new ArrayList<>();
        for (int j = 1; j <= h; j++) {
            times.add(last.plusDays(j * step).toString());
        }
        Map<Long, float[]> rows = s.steps().filter(t -> t._1() >= n - w).collectAsMap();
        float[] in = new float[w * (f + c)];
        for (int t = 0; t < w; t++) {
            long row = n - w + t;
            System.arraycopy(rows.get(row), 0, in, t * (f + c), f);
            // the calendar of the row H later: a row of the data or a day after it
            long ahead = row + h;
            float[] covariates = ahead < n ? Arrays.copyOfRange(rows.get(ahead), f, f + c)
                    : cal.of(last.plusDays((ahead - n + 1) * step));
            System.arraycopy(covariates, 0, in, t * (f + c) + f, c);
        }
        float[] targets = new float[h * spec.targetColumns().size()];
        Arrays.fill(targets, Float.NaN);
        return new FutureWindow(new ForecastWindow(n - w, in, targets), List.copyOf(times), null);
    }
}
