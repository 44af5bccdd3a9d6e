package io.sparkrnn.driver.corpus.forecast;

import io.sparkrnn.engine.model.SequenceSpec;
import java.util.function.BiFunction;

/**
 * What {@link ForecastData#prepare} needs to read, split, window and partition a series.
 *
 * @param train the series
 * @param columns the columns and sizes
 * @param validationFraction the share of the rows in the validation part (unless {@code columns} gives rows)
 * @param testFraction the share of the rows in the test part (unless {@code columns} gives rows)
 * @param batch windows per batch
 * @param partitions training partitions
 * @param seed the seed of the batching
 * @param spec the model for (inputs a step, outputs)
 * @param normalizer the features' normaliser (a warm start's parent's, {@code forecast.normalizer = keep}); null
 *     fits one on the training rows
 */
public record ForecastSettings(String train, ForecastColumns columns, double validationFraction,
        double testFraction, int batch, int partitions, long seed,
        BiFunction<Integer, Integer, SequenceSpec> spec, Normalizer normalizer) {
}
