package io.sparkrnn.jobs;

/** Bad input data (missing corpus, empty text, too little data for the partitions): exit code 3. */
public final class InputException extends RuntimeException {
    public InputException(String message) {
        super(message);
    }
}
