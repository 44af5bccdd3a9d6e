package io.sparkrnn.jobs;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;

/**
 * The seeded random split of tagging, classification and seq2seq data: an example goes to validation when a hash of
 * (seed, its content) falls below the fraction. It depends on the example alone, not on partitioning or
 * order, so it is the same on every run and cluster; identical examples land on the same side (no leak).
 */
final class Splits {
    private Splits() {
    }

    /** Whether the example with this {@code key} (its text) is held out. */
    static boolean heldOut(long seed, String key, double fraction) {
        return uniform(seed, key) < fraction;
    }

    /**
     * The example's seeded uniform number in [0, 1): a three-way split (training, validation, test) cuts this
     * range at two points, so each part is disjoint and the same on every run.
     */
    static double uniform(long seed, String key) {
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
     * The examples of {@code all} in {@code part} of a two-way split (training and validation) as training drew it
     * with the model's {@code train.seed} and {@code data.validation-fraction}; {@code task} names the task in the
     * error for a test part, which such a split does not have.
     */
    static <T> JavaRDD<T> twoWay(JavaRDD<T> all, JobConfig c, Part part, Function<T, String> key, String task) {
        if (part == Part.ALL) {
            return all;
        }
        if (part == Part.TEST) {
            throw new ConfigException("--part test: a " + task + " model holds out only a validation part "
                    + "(data.validation-fraction); use --part validation");
        }
        long seed = c.getInt("train.seed");
        double f = c.getDouble("data.validation-fraction");
        return all.filter(x -> heldOut(seed, key.call(x), f));
    }

    /**
     * The key of a file's text in the split: the file's last two path segments (its folder and name) and the
     * text, so that the split is the same whichever folder the corpus was copied or checked out to.
     */
    static String fileKey(String file, String text) {
        String f = file.replace('\\', '/');
        int last = f.lastIndexOf('/');
        int before = last > 0 ? f.lastIndexOf('/', last - 1) : -1;
        return f.substring(before + 1) + "\n" + text;
    }
}
