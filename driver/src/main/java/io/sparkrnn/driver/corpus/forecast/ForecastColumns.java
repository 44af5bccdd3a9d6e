package io.sparkrnn.driver.corpus.forecast;

import java.io.Serializable;
import java.util.List;

/**
 * A forecasting model's columns and sizes.
 *
 * @param time the time columns (year, month, day; or one ISO date)
 * @param features the input columns
 * @param targets the predicted columns (also features)
 * @param window W, the steps a window reads
 * @param horizon H, the steps it predicts
 * @param season S, the season of the seasonal-naive forecast
 * @param calendar the calendar covariates of the predicted days
 * @param residual whether the model learns the residual over the seasonal-naive forecast
 * @param validationRows the rows of the validation part, or 0 for a fraction
 * @param testRows the rows of the test part, or 0 for a fraction
 */
public record ForecastColumns(List<String> time, List<String> features, List<String> targets, int window,
        int horizon, int season, List<String> calendar, boolean residual, long validationRows, long testRows)
        implements Serializable {

    public int outputs() {
        return horizon * targets.size();
    }

    /** Feature index of target k. */
    public int[] targetFeatures() {
        return targets.stream().mapToInt(features::indexOf).toArray();
    }

    /** Model inputs per step: the features, then the calendar covariates. */
    public int width() {
        return features.size() + new Calendar(calendar).width();
    }

    public SeasonalNaive naive() {
        return new SeasonalNaive(window, width(), season, targetFeatures());
    }

    /**
     * The persistence forecast: the window's last observed value of each target repeated over the horizon, the
     * seasonal-naive forecast of season 1 ({@code x[t + h] = x[t - 1]}).
     */
    public SeasonalNaive persistence() {
        return new SeasonalNaive(window, width(), 1, targetFeatures());
    }

    /** The model's forecast of output {@code o} (step o / K, target o % K), normalised. */
    public float forecast(float out, ForecastWindow w, int o, SeasonalNaive naive) {
        return residual ? out + naive.at(w, o / targets.size(), o % targets.size()) : out;
    }

    /** The split of training; the whole series (no parts) when {@code whole}. */
    public ForecastReader.Spec reader(double train, double validation, boolean whole) {
        return new ForecastReader.Spec(time, features, targets, window, horizon, train, validation, calendar, whole ? 0 : validationRows, whole ? 0 : testRows);
    }
}
