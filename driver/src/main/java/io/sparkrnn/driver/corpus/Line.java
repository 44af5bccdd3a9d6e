package io.sparkrnn.driver.corpus;

import java.io.Serializable;

/** One line of a corpus file: {@code number} is 1-based, the text has no line terminator (LF or CRLF). */
public record Line(String file, long number, String text) implements Serializable {
}
