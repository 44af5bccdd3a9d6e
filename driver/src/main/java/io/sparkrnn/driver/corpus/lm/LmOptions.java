package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.VocabularyGrowth;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.storage.StorageLevel;

/**
 * Options of {@link LmTextReader}. Start from {@link #chars} or {@link #words} and change single fields with the
 * {@code with...} methods.
 *
 * @param tokens characters (code points), whitespace-separated words, or the words' byte-pair-encoding pieces
 * @param minCount tokens seen fewer times are left out of the vocabulary
 * @param maxSize vocabulary entries at most, specials included
 * @param specials tokens given the first ids; for characters none (the {@code vocab-chars.txt} format holds
 *     single characters only)
 * @param lineEnd words only: the token that stands for each line terminator (default {@code <eos>}, a
 *     special); null drops line ends, so words flow across lines
 * @param partitions training partitions (one contiguous stream each)
 * @param lanes stream lanes per batch (the batch size B of {@link TokenStreamPartition})
 * @param steps steps per batch (truncated BPTT k1)
 * @param validationFraction share of the corpus, at its end, held out for validation
 * @param maxBadFraction largest share of bad lines tolerated
 * @param splitBytes bytes per read task; 0 chooses about a quarter of the corpus per core, 64 KiB to 64 MiB
 * @param storage how the training partitions are cached; default MEMORY_AND_DISK, deserialized, because every
 *     round reads every partition (a serialized level would deserialize the whole stream each round)
 * @param growth a warm start's vocabulary (the parent's, grown or not); null fits the vocabulary on the text
 * @param bpeMerges byte-pair-encoding pieces ({@link TokenUnit#BPE}): the merges learned on the text's words
 * @param bpe byte-pair-encoding pieces: the merges to cut the words with (a warm start's parent's, or those learned,
 *     which the reader sets before it encodes); null learns {@code bpeMerges} of them
 */
public record LmOptions(TokenUnit tokens, int minCount, int maxSize, List<String> specials, String lineEnd,
        int partitions, int lanes, int steps, double validationFraction, double maxBadFraction, long splitBytes,
        StorageLevel storage, VocabularyGrowth growth, int bpeMerges, Bpe bpe) implements Serializable {

    public LmOptions {
        if (minCount < 1 || maxSize < 1 || partitions < 1 || lanes < 1 || steps < 1 || splitBytes < 0) {
            throw new IllegalArgumentException("minCount, maxSize, partitions, lanes, steps must be >= 1 and"
                    + " splitBytes >= 0, found " + minCount + ", " + maxSize + ", " + partitions + ", " + lanes + ", "
                    + steps + ", " + splitBytes);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validationFraction must be in [0, 1), found " + validationFraction);
        }
        specials = List.copyOf(specials);
        if (tokens == TokenUnit.CHARS && !specials.isEmpty()) {
            throw new IllegalArgumentException("character vocabularies have no special tokens (vocab-chars.txt holds"
                    + " single characters), found " + specials);
        }
        if (tokens == TokenUnit.BPE && bpe == null && bpeMerges < 1) {
            throw new IllegalArgumentException("byte-pair-encoding pieces need merges, or at least 1 to learn, found "
                    + bpeMerges);
        }
        if (maxSize <= specials.size()) {
            throw new IllegalArgumentException("maxSize must exceed the " + specials.size() + " special tokens, found "
                    + maxSize);
        }
    }

    /** Characters, every one kept, 2 partitions of 32 x 64 batches, the last 10% for validation. */
    public static LmOptions chars() {
        return new LmOptions(TokenUnit.CHARS, 1, Integer.MAX_VALUE, List.of(), null, 2, 32, 64, 0.1,
                BadRecords.DEFAULT_MAX_BAD_FRACTION, 0, StorageLevel.MEMORY_AND_DISK(), null, 0, null);
    }

    /** Words with the default specials and {@code <eos>} at each line end; otherwise as {@link #chars}. */
    public static LmOptions words() {
        return chars().withTokens(TokenUnit.WORDS, Vocabulary.SPECIALS, Vocabulary.EOS, 0, null);
    }

    /**
     * Words cut into byte-pair-encoding pieces: {@code merges} learned on the text's words, or a warm start's
     * {@code parent} merges (null: learned); otherwise as {@link #words} ({@code <eos>} stays one token).
     */
    public static LmOptions pieces(int merges, Bpe parent) {
        LmOptions w = words();
        return w.withTokens(TokenUnit.BPE, w.specials, w.lineEnd, merges, parent);
    }

    /** These options with other tokens and what goes with them: specials, line end and byte-pair merges. */
    private LmOptions withTokens(TokenUnit tokens, List<String> specials, String lineEnd, int bpeMerges, Bpe bpe) {
        return new LmOptions(tokens, minCount, maxSize, specials, lineEnd, partitions, lanes, steps,
                validationFraction, maxBadFraction, splitBytes, storage, growth, bpeMerges, bpe);
    }

    /** These options cutting words with {@code merges} (set by the reader once it has them). */
    LmOptions withBpe(Bpe merges) {
        return withTokens(tokens, specials, lineEnd, bpeMerges, merges);
    }

    public LmOptions withVocabulary(int minCount, int maxSize) {
        return new LmOptions(tokens, minCount, maxSize, specials, lineEnd, partitions, lanes, steps,
                validationFraction, maxBadFraction, splitBytes, storage, growth, bpeMerges, bpe);
    }

    public LmOptions withSpecials(List<String> specials, String lineEnd) {
        return new LmOptions(tokens, minCount, maxSize, specials, lineEnd, partitions, lanes, steps,
                validationFraction, maxBadFraction, splitBytes, storage, growth, bpeMerges, bpe);
    }

    public LmOptions withPartitions(int partitions, int lanes, int steps) {
        return new LmOptions(tokens, minCount, maxSize, specials, lineEnd, partitions, lanes, steps,
                validationFraction, maxBadFraction, splitBytes, storage, growth, bpeMerges, bpe);
    }

    public LmOptions withValidationFraction(double validationFraction) {
        return new LmOptions(tokens, minCount, maxSize, specials, lineEnd, partitions, lanes, steps,
                validationFraction, maxBadFraction, splitBytes, storage, growth, bpeMerges, bpe);
    }

    public LmOptions withMaxBadFraction(double maxBadFraction) {
        return new LmOptions(tokens, minCount, maxSize, specials, lineEnd, partitions, lanes, steps,
                validationFraction, maxBadFraction, splitBytes, storage, growth, bpeMerges, bpe);
    }

    public LmOptions withSplitBytes(long splitBytes) {
        return new LmOptions(tokens, minCount, maxSize, specials, lineEnd, partitions, lanes, steps,
                validationFraction, maxBadFraction, splitBytes, storage, growth, bpeMerges, bpe);
    }

    public LmOptions withStorage(StorageLevel storage) {
        return new LmOptions(tokens, minCount, maxSize, specials, lineEnd, partitions, lanes, steps,
                validationFraction, maxBadFraction, splitBytes, storage, growth, bpeMerges, bpe);
    }

    /** Options that start from a warm start's vocabulary ({@link VocabularyGrowth}) instead of fitting one. */
    public LmOptions withGrowth(VocabularyGrowth growth) {
        return new LmOptions(tokens, minCount, maxSize, specials, lineEnd, partitions, lanes, steps,
                validationFraction, maxBadFraction, splitBytes, storage, growth, bpeMerges, bpe);
    }
}
