package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.corpus.text.TokenUnit;

/** Token-unit keys ({@code char | word | 13a | bpe}) as {@link TokenUnit}s. */
final class Units {
    private Units() {
    }

    static TokenUnit of(JobConfig c, String key) {
        return switch (c.getChoice(key)) {
            case "word" -> TokenUnit.WORDS;
            case "13a" -> TokenUnit.WORDS_13A;
            case "bpe" -> TokenUnit.BPE;
            default -> TokenUnit.CHARS;
        };
    }
}
