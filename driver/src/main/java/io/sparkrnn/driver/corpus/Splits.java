package io.sparkrnn.driver.corpus;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;

/**
 * The seeded random split of tagging, classification and seq2seq data: an example goes to validation when a hash of
 * (seed, its content) falls below the fraction. It depends on the example alone, not on partitioning or
 * order, so it is the same on every run and cluster; identical examples land on the same side (no leak).
 * Tagging and classification may hold out a test part too: the examples whose number ({@link #uniform}) lies in
 * [validation fraction, validation fraction + test fraction), so that the validation part is the same with or
 * without a test part and a test fraction of 0 leaves the two-way split as it was.
 */
public final class Splits {
    private Splits() {
    }

    /**
     * The training and validation parts of a task's corpus, with the console lines on what reading them skipped
     * ({@link Corpus#skipped}).
     */
    public record TrainValidation<T>(JavaRDD<T> train, JavaRDD<T> validation, String skipped) {
    }

    /**
     * Reads the corpus {@code train} with {@code read} and splits it: with an empty {@code validation}, the
     * examples whose {@code key} is {@link #heldOut} with {@code seed} and {@code fraction} are the validation part
     * and the others the training part; else all of {@code train} is for training and the corpus
     * {@code validation} (read after it) for validation.
     */
    public static <T> TrainValidation<T> trainValidation(java.util.function.Function<String, Corpus<T>> read,
            String train, String validation, long seed, double fraction, Function<T, String> key) {
        return trainValidation(read.apply(train), read, validation, seed, fraction, 0, key);
    }

    /**
     * As {@link #trainValidation(java.util.function.Function, String, String, long, double, Function)}, with the
     * training corpus given (e.g. the rows of a Spark Dataset) instead of read from a path, and a test part of
     * {@code testFraction} ({@link #testPart}) left out of the training part when {@code validation} is empty
     * (a named validation corpus takes no test part: {@code testFraction} must then be 0).
     */
    public static <T> TrainValidation<T> trainValidation(Corpus<T> t, java.util.function.Function<String, Corpus<T>> read,
            String validation, long seed, double fraction, double testFraction, Function<T, String> key) {
        JavaRDD<T> all = t.records();
        if (validation.isEmpty()) {
            return new TrainValidation<>(trainingPart(all, seed, fraction + testFraction, key),
                    validationPart(all, seed, fraction, key), t.skipped());
        }
        if (testFraction != 0) {
            throw new IllegalArgumentException("a named validation corpus takes no test part, found test fraction "
                    + testFraction);
        }
        Corpus<T> v = read.apply(validation);
        return new TrainValidation<>(all, v.records(), t.skipped() + v.skipped());
    }

    /** The console's note on a test part of {@code testFraction} (empty without one). */
    public static String testNote(double testFraction) {
        return testFraction > 0 ? " (and a test part of data.test-fraction " + testFraction + ", left out of "
                + "training and validation: evaluate --part test)" : "";
    }

    /**
     * The examples of {@code all} in the test part of a three-way split: those whose {@link #uniform} number lies in
     * [{@code fraction}, {@code fraction + testFraction}), after the validation part and before the training part.
     */
    public static <T> JavaRDD<T> testPart(JavaRDD<T> all, long seed, double fraction, double testFraction,
            Function<T, String> key) {
        return all.filter(x -> {
            double u = uniform(seed, key.call(x));
            return u >= fraction && u < fraction + testFraction;
        });
    }

    /** The examples of {@code all} whose {@code key} is {@link #heldOut} with {@code seed} and {@code fraction}. */
    public static <T> JavaRDD<T> validationPart(JavaRDD<T> all, long seed, double fraction, Function<T, String> key) {
        return all.filter(x -> heldOut(seed, key.call(x), fraction));
    }

    /**
     * The examples of {@code all} that are not {@link #heldOut} with {@code seed} and {@code fraction} (with a test
     * part: the validation and test fractions' sum).
     */
    public static <T> JavaRDD<T> trainingPart(JavaRDD<T> all, long seed, double fraction, Function<T, String> key) {
        return all.filter(x -> !heldOut(seed, key.call(x), fraction));
    }

    /** Whether the example with this {@code key} (its text) is held out. */
    public static boolean heldOut(long seed, String key, double fraction) {
        return uniform(seed, key) < fraction;
    }

    /**
     * The example's seeded uniform number in [0, 1): a three-way split (training, validation, test) cuts this
     * range at two points, so each part is disjoint and the same on every run.
     */
    public static double uniform(long seed, String key) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        long z = seed * 0x9E3779B97F4A7C15L + crc.getValue() + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        // the top 53 bits as a uniform number in [0, 1)
        return (z >>> 11) * 0x1.0p-53;
    }

    /**
     * The key of a file's text in the split: the file's last two path segments (its folder and name) and the
     * text, so that the split is the same whichever folder the corpus was copied or checked out to.
     */
    public static String fileKey(String file, String text) {
        String f = file.replace('\\', '/');
        int last = f.lastIndexOf('/');
        int before = last > 0 ? f.lastIndexOf('/', last - 1) : -1;
        return f.substring(before + 1) + "\n" + text;
    }
}
