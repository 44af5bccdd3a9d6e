package io.sparkrnn.driver.corpus;

import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;

/**
 * Which examples of a corpus an evaluation scores: all of them, or the held-out part of the model's own training
 * corpus that training drew with the saved config (the seeded hash split of tag, classify and seq2seq; the time
 * order split of lm and forecast), so that {@code evaluate --part validation} re-derives the figure in eval.json.
 */
public enum Part {
    ALL, VALIDATION, TEST;

    /** The name in messages and in the printed JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The examples of {@code all} in this part of the split as training drew it with {@code seed}, the validation
     * {@code fraction} and the {@code testFraction} ({@link Splits}; 0 = a two-way split, training and validation).
     * A two-way split has no test part: the caller rejects {@link #TEST} with its own message before it asks.
     */
    public <T> JavaRDD<T> split(JavaRDD<T> all, long seed, double fraction, double testFraction,
            Function<T, String> key) {
        if (this == ALL) {
            return all;
        }
        if (this == TEST) {
            if (!(testFraction > 0)) {
                throw new IllegalArgumentException("a two-way split has no test part");
            }
            return Splits.testPart(all, seed, fraction, testFraction, key);
        }
        return Splits.validationPart(all, seed, fraction, key);
    }
}
