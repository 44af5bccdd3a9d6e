package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.corpus.text.TokenUnit;

/**
 * The keys only the language model reads.
 *
 * @param tokens     {@code data.tokens}: characters, or whitespace-separated words (each line ends with
 *                   {@code <eos>}); a model of before word LMs has the default, characters
 * @param textColumn {@code data.text-column}: the Parquet column of the text
 * @param bpeMerges  {@code data.bpe-merges}: merges learned for {@code bpe} tokens (whitespace-separated words cut
 *                   into byte-pair-encoding pieces)
 */
public record LmSection(TokenUnit tokens, String textColumn, int bpeMerges) {

    static LmSection of(JobConfig c) {
        return new LmSection(Units.of(c, "data.tokens"), c.getString("data.text-column"), c.getInt("data.bpe-merges"));
    }
}
