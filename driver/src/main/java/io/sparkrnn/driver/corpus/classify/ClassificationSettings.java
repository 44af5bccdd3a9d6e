package io.sparkrnn.driver.corpus.classify;

import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
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
 * @param bpeMerges the merges learned on the training texts' words for a {@link TokenUnit#BPE} tokenizer (a warm
 *     start keeps the parent's, {@link Bpe#INPUT_FILE} of {@code vocabularies})
 */
public record ClassificationSettings(String format, String train, String validation, Reading reading,
        Tokenizer tokenizer, long seed, double validationFraction, double testFraction, int minCount,
        int maxVocabulary, int batch, int partitions, BiFunction<Integer, Integer, SequenceSpec> spec,
        WarmVocabularies vocabularies, int bpeMerges) {

    /**
     * How texts are read.
     *
     * @param folderLabels folder to label, in order, for {@code folders}; empty when every folder under the corpus
     *     is its own label
     * @param maxBadFraction the largest share of bad records accepted
     */
    public record Reading(Map<String, String> folderLabels, double maxBadFraction) {
    }

    /**
     * The settings that turn a text into tokens: unit, case, length cap, and for {@link TokenUnit#BPE} the merges
     * that cut the words into pieces.
     *
     * @param unit the token unit
     * @param lower whether texts are lower-cased first
     * @param maxLength the most tokens kept from the start of a text
     * @param bpe the byte-pair-encoding merges of a {@link TokenUnit#BPE} unit (null until learned or read; null for
     *     the other units)
     */
    public record Tokenizer(TokenUnit unit, boolean lower, int maxLength, Bpe bpe) implements Serializable {
        /** The settings of a unit without merges (for {@link TokenUnit#BPE}: until they are learned or read). */
        public Tokenizer(TokenUnit unit, boolean lower, int maxLength) {
            this(unit, lower, maxLength, null);
        }

        /** These settings cutting words with {@code merges}. */
        public Tokenizer withBpe(Bpe merges) {
            return new Tokenizer(unit, lower, maxLength, merges);
        }

        /** The first {@code maxLength} tokens of {@code text}: the model's (pieces for a {@code bpe} unit). */
        public String[] tokens(String text) {
            String[] t = split(text);
            if (unit == TokenUnit.BPE) {
                if (bpe == null) {
                    throw new IllegalStateException("a bpe tokenizer without merges");
                }
                t = bpe.encode(t);
            }
            return t.length > maxLength ? Arrays.copyOf(t, maxLength) : t;
        }

        /**
         * The first {@code maxLength} words of {@code text} (the bag-of-words baseline's tokens): the tokens, or
         * for a {@code bpe} unit the whitespace-separated words the pieces are cut from (a {@code word} model's
         * tokens, so the baseline is the word model's).
         */
        public String[] words(String text) {
            String[] t = split(text);
            return t.length > maxLength ? Arrays.copyOf(t, maxLength) : t;
        }

        /** The text's tokens; for a {@code bpe} unit its whitespace-separated words (as {@code word} cuts it). */
        private String[] split(String text) {
            return (unit == TokenUnit.BPE ? TokenUnit.WORDS : unit).split(lower ? text.toLowerCase(Locale.ROOT)
                    : text);
        }
    }
}
