package io.sparkrnn.driver.corpus.pairs;

import java.io.Serializable;

/** A sequence-to-sequence example: source tokens and target tokens (both non-empty). */
public record TextPair(String[] source, String[] target) implements Serializable {
}
