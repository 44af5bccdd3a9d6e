package io.sparkrnn.driver.corpus.forecast;

import java.io.Serializable;

/**
 * The seasonal-naive forecast read from a window's inputs, {@code x[t + h] = x[t + h - S * (floor(h / S) + 1)]}
 * for steps {@code h = 0 .. H - 1} after the window (S the season; for daily data S = 7: the same weekday a
 * week earlier), and the residual targets {@code y - naive} a model may learn instead of the level. Values are
 * in the window's (standardised) units; the map to original units is linear, so a residual added back to the
 * naive value and then inverted equals the inverted forecast.
 *
 * @param window W, steps per window
 * @param width values per input step (F features, then calendar covariates)
 * @param season S, with {@code S <= W}
 * @param targetFeatures for each target k, its feature index within a step
 */
public record SeasonalNaive(int window, int width, int season, int[] targetFeatures) implements Serializable {
    public SeasonalNaive {
        if (season < 1 || season > window) {
            throw new IllegalArgumentException("expected 1 <= season <= window (" + window + "), found " + season);
        }
    }

    /** Input step read for output step {@code h}: {@code W + h - S * (h / S + 1)}. */
    public int step(int h) {
        return window + h - season * (h / season + 1);
    }

    /** The naive forecast of output step {@code h}, target {@code k}. */
    public float at(ForecastWindow w, int h, int k) {
        return w.inputs()[step(h) * width + targetFeatures[k]];
    }

    /** The window with targets {@code y[h, k] - naive(h, k)}, {@code [H * K]} as the targets are. */
    public ForecastWindow residual(ForecastWindow w) {
        int k = targetFeatures.length;
        float[] r = w.targets().clone();
        for (int o = 0; o < r.length; o++) {
            r[o] -= at(w, o / k, o % k);
        }
        return new ForecastWindow(w.start(), w.inputs(), r);
    }
}
