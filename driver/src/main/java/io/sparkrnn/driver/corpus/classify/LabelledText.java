package io.sparkrnn.driver.corpus.classify;

import java.io.Serializable;

/** A classification example: a label and its text; {@code file} names where it came from. */
public record LabelledText(String label, String text, String file) implements Serializable {
}
