package io.sparkrnn.jobs.config;

/** A bad config (unknown key, wrong type, out of range, missing file): exit code 2 with a one-line reason. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
