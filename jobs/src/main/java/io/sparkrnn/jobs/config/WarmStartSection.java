package io.sparkrnn.jobs.config;

/**
 * What a warm start ({@code train --warm-start}) does where the new data and the parent model differ.
 *
 * @param extendVocabulary {@code vocab.on-new-tokens = extend}: a language model's vocabulary grows by the tokens
 *                         of the new data that the parent lacks (fresh rows; old ids unchanged); {@code unk} maps
 *                         them to {@code <unk>}
 * @param refitNormalizer  {@code forecast.normalizer = refit}: a forecaster's normaliser is fitted again on the new
 *                         training rows; {@code keep} keeps the parent's
 */
public record WarmStartSection(boolean extendVocabulary, boolean refitNormalizer) {

    static WarmStartSection of(JobConfig c) {
        return new WarmStartSection(c.getChoice("vocab.on-new-tokens").equals("extend"),
                c.getChoice("forecast.normalizer").equals("refit"));
    }
}
