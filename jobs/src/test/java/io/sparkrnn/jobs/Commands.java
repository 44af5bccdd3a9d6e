package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The command line run in-process for tests of other packages ({@link Main#run}, as {@link MainTest} runs it). */
public final class Commands {
    private Commands() {
    }

    /** A command's exit code and console output. */
    public record Run(int code, String out, String err) {
    }

    /** Runs {@code bin/spark-rnn args...} in this JVM ({@link Main#run}), capturing its exit code and output. */
    public static Run run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code bin/spark-rnn args...} in this JVM, requires exit code 0 and returns its console output. */
    public static String ok(String... args) {
        Run r = run(args);
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
        return r.out();
    }

    /** The repository's folder {@code relative} (e.g. {@code data/samples/spam-assassin}). */
    public static Path repo(String relative) {
        return TaskTesting.root().resolve(relative);
    }
}
