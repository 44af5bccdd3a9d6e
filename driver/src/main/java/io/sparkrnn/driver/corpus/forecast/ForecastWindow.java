package io.sparkrnn.driver.corpus.forecast;

import java.io.Serializable;

/**
 * One forecasting example, normalised: {@code inputs} is W steps of F features, time-major ({@code [W * F]});
 * {@code targets} the next H steps of the target columns ({@code [H * K]}); {@code start} the row index (in time
 * order over the whole series) of the window's first step.
 */
public record ForecastWindow(long start, float[] inputs, float[] targets) implements Serializable {
}
