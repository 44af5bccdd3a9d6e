package io.sparkrnn.bench;

import io.sparkrnn.jobs.Main;

/**
 * The entry point of {@code bin/spark-rnn bench engine|spark|scaling ...} (the arguments after {@code bench}): the
 * command line's start-up and exit codes ({@link Main#launch}, {@link Main#guarded}) around {@link EngineBench}.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) {
        Main.launch(() -> Main.guarded("bench", System.err, () -> new EngineBench(System.out).run(args)));
    }
}
