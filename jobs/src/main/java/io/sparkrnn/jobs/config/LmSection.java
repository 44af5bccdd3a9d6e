package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.corpus.text.TokenUnit;

/**
 * The keys only the language model reads.
 *
 * @param tokens     {@code data.tokens}: characters, or whitespace-separated words (each line ends with
 *                   {@code <eos>}); a model of before word LMs has the default, characters
 * @param textColumn {@code data.text-column}: the Parquet column of the text
 */
public record LmSection(TokenUnit tokens, String textColumn) {

    static LmSection of(JobConfig c) {
        return new LmSection(Units.of(c, "data.tokens"), c.getString("data.text-column"));
    }
}
