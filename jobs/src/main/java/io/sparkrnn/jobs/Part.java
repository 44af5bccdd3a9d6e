package io.sparkrnn.jobs;

import java.util.Locale;

/**
 * Which examples of a corpus {@code evaluate} scores: all of them, or the held-out part of the model's own training
 * corpus that training drew with the saved config (the seeded hash split of tag, classify and seq2seq; the time
 * order split of lm and forecast), so that {@code evaluate --part validation} re-derives the figure in eval.json.
 */
enum Part {
    ALL, VALIDATION, TEST;

    /** The name in messages and in the printed JSON. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
