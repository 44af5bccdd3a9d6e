package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.engine.model.SequenceSpec;
import java.util.function.IntFunction;

/**
 * What {@link LmData#prepare} needs to read a text into training streams and a held-out part.
 *
 * @param format {@code text} or {@code parquet}
 * @param train the text
 * @param textColumn the Parquet column of the text
 * @param options the reader's options (token unit, vocabulary, partitions, validation fraction)
 * @param k1 the truncated-BPTT window the held-out part is scored in
 * @param spec the model for a vocabulary of this size
 */
public record LmSettings(String format, String train, String textColumn, LmOptions options, int k1,
        IntFunction<SequenceSpec> spec) {
}
