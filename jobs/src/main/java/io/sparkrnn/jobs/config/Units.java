package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.corpus.text.TokenUnit;

/** Token-unit keys ({@code char | word}) as {@link TokenUnit}s. */
final class Units {
    private Units() {
    }

    static TokenUnit of(JobConfig c, String key) {
        return c.getChoice(key).equals("word") ? TokenUnit.WORDS : TokenUnit.CHARS;
    }
}
