package io.sparkrnn.driver.corpus;

/** Bad input data: a missing, empty or undecodable corpus. The message names the file and what is wrong. */
public final class CorpusException extends RuntimeException {
    public CorpusException(String message) {
        super(message);
    }

    public CorpusException(String message, Throwable cause) {
        super(message, cause);
    }
}
