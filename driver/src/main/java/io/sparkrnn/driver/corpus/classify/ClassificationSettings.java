package io.sparkrnn.driver.corpus.classify;

import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.engine.model.SequenceSpec;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What {@link ClassificationData#prepare} needs to read, split, encode and partition labelled texts.
 *
 * @param format {@code tsv} or {@code folders}
 * @param train the training corpus
 * @param validation the validation corpus, or empty to hold out {@code validationFraction} of {@code train}
 * @param reading how texts are read
 * @param tokenizer how a text becomes tokens
 * @param seed the seed of the held-out split and of the batching
 * @param validationFraction the share of the texts held out when {@code validation} is empty
 * @param testFraction the share of the texts held out as the test part (0 = none; {@code validation} empty)
 * @param minCount the fewest occurrences of a token the vocabulary keeps
 * @param maxVocabulary the most tokens the vocabulary keeps
 * @param batch texts per batch
 * @param partitions training partitions
 * @param spec the model for vocabularies of (tokens, labels)
 * @param vocabularies a warm start's vocabularies, the parent's grown or not ({@link WarmVocabularies#NONE}: fitted)
 */
public record ClassificationSettings(String format, String train, String validation, Reading reading,
        Tokenizer tokenizer, long seed, double validationFraction, double testFraction, int minCount, int maxVocabulary, int batch,
        int partitions, BiFunction<Integer, Integer, SequenceSpec> spec, WarmVocabularies vocabularies) {

    /**
     * How texts are read.
     *
     * @param folderLabels folder to label, in order, for {@code folders}; empty when every folder under the corpus
     *     is its own label
     * @param maxBadFraction the largest share of bad records accepted
     */
    public record Reading(Map<String, String> folderLabels, double maxBadFraction) {
    }

    /** The settings that turn a text into tokens: unit, case, length cap. */
    public record Tokenizer(TokenUnit unit, boolean lower, int maxLength) implements Serializable {
        /** The first {@code maxLength} tokens of {@code text}. */
        public String[] tokens(String text) {
            String[] t = unit.split(lower ? text.toLowerCase(Locale.ROOT) : text);
            return t.length > maxLength ? Arrays.copyOf(t, maxLength) : t;
        }
    }
}
