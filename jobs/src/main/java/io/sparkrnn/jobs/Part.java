package io.sparkrnn.jobs;

import io.sparkrnn.driver.corpus.Splits;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobSettings;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;

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

    /**
     * The examples of {@code all} in this part of a two-way split (training and validation) as training drew it
     * with the model's {@code train.seed} and {@code data.validation-fraction} ({@link Splits}); {@code task} names
     * the task in the error for a test part, which such a split does not have.
     */
    <T> JavaRDD<T> twoWay(JavaRDD<T> all, JobSettings s, Function<T, String> key, String task) {
        if (this == ALL) {
            return all;
        }
        if (this == TEST) {
            throw new ConfigException("--part test: a " + task + " model holds out only a validation part "
                    + "(data.validation-fraction); use --part validation");
        }
        long seed = s.train().seed();
        double f = s.data().validationFraction();
        return all.filter(x -> Splits.heldOut(seed, key.call(x), f));
    }
}
