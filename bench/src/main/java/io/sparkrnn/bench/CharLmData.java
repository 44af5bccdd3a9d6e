package io.sparkrnn.bench;

import io.sparkrnn.driver.corpus.lm.CharCorpus;
import java.nio.file.Paths;
import java.util.Arrays;

/**
 * The text of a distributed benchmark run, encoded as characters and split as the {@code train} command does:
 * the first {@code 1 - validationFraction} for training, the rest for validation. Both implementations get
 * the training stream cut by {@link io.sparkrnn.driver.corpus.lm.StreamPartitions} into the same partitions.
 */
record CharLmData(int vocabulary, int[] train, int[] valid) {

    static CharLmData read(SparkBenchSettings s) {
        CharCorpus corpus = CharCorpus.read(Paths.get(s.text()));
        int[] ids = corpus.ids();
        int split = (int) Math.round(ids.length * (1 - s.validationFraction()));
        return new CharLmData(corpus.vocabulary().size(), Arrays.copyOfRange(ids, 0, split),
                Arrays.copyOfRange(ids, split, ids.length));
    }
}
