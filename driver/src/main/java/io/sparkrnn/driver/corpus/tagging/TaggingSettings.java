package io.sparkrnn.driver.corpus.tagging;

import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.engine.model.SequenceSpec;
import java.util.function.BiFunction;

/**
 * What {@link TaggingData#prepare} needs to read, split, encode and partition a tagged corpus.
 *
 * @param format {@code brown} or {@code conll}
 * @param train the training corpus
 * @param validation the validation corpus, or empty to hold out {@code validationFraction} of {@code train}
 * @param reading how sentences are read
 * @param seed the seed of the held-out split and of the batching
 * @param validationFraction the share of the sentences held out when {@code validation} is empty
 * @param testFraction the share of the sentences held out as the test part (0 = none; {@code validation} empty)
 * @param minCount the fewest occurrences of a word the vocabulary keeps
 * @param maxVocabulary the most words the vocabulary keeps
 * @param k1 the longest training piece, in words (or byte-pair-encoding pieces)
 * @param batch sentences per batch
 * @param partitions training partitions
 * @param spec the model for vocabularies of (words, tags)
 * @param vocabularies a warm start's vocabularies, the parent's grown or not ({@link WarmVocabularies#NONE}: fitted)
 * @param bpeMerges 0 for a tagger of words; else the words are cut into byte-pair-encoding pieces, this many merges
 *     learned on the training words (a warm start keeps the parent's, {@code Bpe.INPUT_FILE} of
 *     {@code vocabularies}), and a word's tag is predicted at its first piece
 */
public record TaggingSettings(String format, String train, String validation, Reading reading, long seed,
        double validationFraction, double testFraction, int minCount, int maxVocabulary, int k1, int batch,
        int partitions, BiFunction<Integer, Integer, SequenceSpec> spec, WarmVocabularies vocabularies,
        int bpeMerges) {

    /**
     * How sentences are read.
     *
     * @param conllTokenColumn the CoNLL column of the words
     * @param conllTagColumn the CoNLL column of the tags
     * @param stripTagSuffixes whether Brown tags lose their suffixes
     * @param maxBadFraction the largest share of bad records accepted
     * @param lowercase whether words are lowercased
     */
    public record Reading(int conllTokenColumn, int conllTagColumn, boolean stripTagSuffixes, double maxBadFraction,
            boolean lowercase) {
    }
}
