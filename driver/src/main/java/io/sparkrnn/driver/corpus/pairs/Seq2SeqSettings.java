package io.sparkrnn.driver.corpus.pairs;

import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;
import java.util.function.BiFunction;

/**
 * What {@link Seq2SeqData#prepare} needs to read, split, encode and partition pairs.
 *
 * @param format {@code cmudict}, {@code tsv}, {@code tsv-pairs} or {@code parquet}
 * @param train the corpus of pairs
 * @param reading how pairs are read
 * @param maxSourceLength the longest source kept; longer ones are skipped and counted
 * @param seed the seed of the split and of the batching
 * @param testFraction the share of the sources in the test part
 * @param validationFraction the share of the sources in the validation part
 * @param minCount the fewest occurrences of a token the vocabularies keep
 * @param maxVocabulary the most tokens each vocabulary keeps
 * @param batch pairs per batch; with a token budget, the unit of the bucketing chunks (64 x batch pairs)
 * @param batchTokens the token budget of a batch ({@link PairBatching}: padded source plus decoder steps), 0 =
 *     batches of exactly {@code batch} pairs
 * @param partitions training partitions
 * @param decode how the final evaluation decodes (beam 1: greedy only; validation during training decodes
 *     greedily with the same length normalisation and n-gram rule)
 * @param spec the model for vocabularies of (source, target) tokens
 * @param vocabularies a warm start's vocabularies, the parent's grown or not ({@link WarmVocabularies#NONE}: fitted),
 *     and its byte-pair-encoding merges
 * @param bpeMerges the merges learned for a side cut into byte-pair-encoding pieces ({@link Subwords})
 */
public record Seq2SeqSettings(String format, String train, Reading reading, int maxSourceLength, long seed,
        double testFraction, double validationFraction, int minCount, int maxVocabulary, int batch, int batchTokens, int partitions,
        Seq2SeqDecoding.Settings decode, BiFunction<Integer, Integer, Seq2SeqSpec> spec,
        WarmVocabularies vocabularies, int bpeMerges) {

    /**
     * How pairs are read.
     *
     * @param alternates whether CMUdict's alternate pronunciations are kept
     * @param sourceTokens the token unit of a tsv or Parquet source
     * @param targetTokens the token unit of a tsv or Parquet target
     * @param sourceColumn the column of the sources: a Parquet column's name, a {@code tsv-pairs} column's number
     *     (from 0)
     * @param targetColumn the column of the targets, as {@code sourceColumn}
     * @param lowercase whether tsv, tsv-pairs and Parquet tokens are lower-cased (both sides)
     * @param maxBadFraction the largest share of bad records accepted
     */
    public record Reading(boolean alternates, TokenUnit sourceTokens, TokenUnit targetTokens, String sourceColumn,
            String targetColumn, boolean lowercase, double maxBadFraction) implements java.io.Serializable {

        /**
         * The tokens of one source text (a line of {@code predict --input-format lines}), as pairs are read (words,
         * for byte-pair encoding: {@link Subwords} cuts them).
         */
        public String[] tokenizeSource(String text) {
            return lower(sourceTokens.split(text));
        }

        /** {@code tokens}, lower-cased when this reading lower-cases. */
        String[] lower(String[] tokens) {
            if (!lowercase) {
                return tokens;
            }
            String[] out = new String[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                out[i] = tokens[i].toLowerCase(java.util.Locale.ROOT);
            }
            return out;
        }
    }
}
