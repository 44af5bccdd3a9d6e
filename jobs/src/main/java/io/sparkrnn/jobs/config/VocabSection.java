package io.sparkrnn.jobs.config;

/**
 * The {@code vocab.*} keys: how tag, classify, seq2seq and word lm fit their vocabularies.
 *
 * @param minCount {@code vocab.min-count}: tokens seen fewer times map to {@code <unk>}
 * @param maxSize  {@code vocab.max-size}: most frequent tokens kept
 */
public record VocabSection(int minCount, int maxSize) {

    static VocabSection of(JobConfig c) {
        return new VocabSection(c.getInt("vocab.min-count"), c.getInt("vocab.max-size"));
    }
}
