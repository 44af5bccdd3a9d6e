package io.sparkrnn.driver.corpus.tagging;

import java.io.Serializable;

/** One tagged sentence: {@code tokens[i]} has tag {@code tags[i]}; both have the same, non-zero length. */
public record TaggedSentence(String[] tokens, String[] tags) implements Serializable {
    public int length() {
        return tokens.length;
    }
}
