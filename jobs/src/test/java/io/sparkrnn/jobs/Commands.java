package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

/** The command line run in-process for tests of other packages ({@link Main#run}, as {@link MainTest} runs it). */
public final class Commands {
    private Commands() {
    }

    /** Runs {@code bin/spark-rnn args...} in this JVM, requires exit code 0 and returns its console output. */
    public static String ok(String... args) {
        MainTest.Run r = MainTest.run(args);
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
        return r.out();
    }

    /** The repository's folder {@code relative} (e.g. {@code data/samples/spam-assassin}). */
    public static Path repo(String relative) {
        return TaskTesting.root().resolve(relative);
    }
}
