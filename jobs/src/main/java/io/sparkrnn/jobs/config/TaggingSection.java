package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.corpus.text.TokenUnit;

/**
 * The keys only the tagger reads.
 *
 * @param conllTokenColumn {@code data.conll-token-column}
 * @param conllTagColumn   {@code data.conll-tag-column}
 * @param stripTagSuffixes {@code data.strip-tag-suffixes}: reduce Brown tags to base tags
 * @param lowercase        {@code data.lowercase}: lower-case words before the vocabulary
 * @param tokens           {@code data.tokens}: {@link TokenUnit#BPE} cuts the words into byte-pair-encoding pieces;
 *                         any other unit is words (a tagger has one tag a word)
 * @param bpeMerges        {@code data.bpe-merges}: merges learned for pieces
 */
public record TaggingSection(int conllTokenColumn, int conllTagColumn, boolean stripTagSuffixes, boolean lowercase,
        TokenUnit tokens, int bpeMerges) {

    static TaggingSection of(JobConfig c) {
        return new TaggingSection(c.getInt("data.conll-token-column"), c.getInt("data.conll-tag-column"),
                c.getBoolean("data.strip-tag-suffixes"), c.getBoolean("data.lowercase"),
                Units.of(c, "data.tokens") == TokenUnit.BPE ? TokenUnit.BPE : TokenUnit.WORDS,
                c.getInt("data.bpe-merges"));
    }
}
