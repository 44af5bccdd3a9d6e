package io.sparkrnn.jobs.config;

/**
 * The keys only the tagger reads.
 *
 * @param conllTokenColumn {@code data.conll-token-column}
 * @param conllTagColumn   {@code data.conll-tag-column}
 * @param stripTagSuffixes {@code data.strip-tag-suffixes}: reduce Brown tags to base tags
 * @param lowercase        {@code data.lowercase}: lower-case words before the vocabulary
 */
public record TaggingSection(int conllTokenColumn, int conllTagColumn, boolean stripTagSuffixes, boolean lowercase) {

    static TaggingSection of(JobConfig c) {
        return new TaggingSection(c.getInt("data.conll-token-column"), c.getInt("data.conll-tag-column"),
                c.getBoolean("data.strip-tag-suffixes"), c.getBoolean("data.lowercase"));
    }
}
