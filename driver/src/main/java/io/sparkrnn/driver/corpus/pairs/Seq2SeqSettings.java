package io.sparkrnn.driver.corpus.pairs;

import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import java.util.function.BiFunction;

/**
 * What {@link Seq2SeqData#prepare} needs to read, split, encode and partition pairs.
 *
 * @param format {@code cmudict}, {@code tsv} or {@code parquet}
 * @param train the corpus of pairs
 * @param reading how pairs are read
 * @param maxSourceLength the longest source kept; longer ones are skipped and counted
 * @param seed the seed of the split and of the batching
 * @param testFraction the share of the sources in the test part
 * @param validationFraction the share of the sources in the validation part
 * @param minCount the fewest occurrences of a token the vocabularies keep
 * @param maxVocabulary the most tokens each vocabulary keeps
 * @param batch pairs per batch
 * @param partitions training partitions
 * @param beam the beam width of the final evaluation (1: greedy only)
 * @param alpha the length normalisation of decoding
 * @param spec the model for vocabularies of (source, target) tokens
 */
public record Seq2SeqSettings(String format, String train, Reading reading, int maxSourceLength, long seed,
        double testFraction, double validationFraction, int minCount, int maxVocabulary, int batch, int partitions,
        int beam, double alpha, BiFunction<Integer, Integer, Seq2SeqSpec> spec) {

    /**
     * How pairs are read.
     *
     * @param alternates whether CMUdict's alternate pronunciations are kept
     * @param sourceTokens the token unit of a tsv or Parquet source
     * @param targetTokens the token unit of a tsv or Parquet target
     * @param sourceColumn the Parquet column of the sources
     * @param targetColumn the Parquet column of the targets
     * @param maxBadFraction the largest share of bad records accepted
     */
    public record Reading(boolean alternates, TokenUnit sourceTokens, TokenUnit targetTokens, String sourceColumn,
            String targetColumn, double maxBadFraction) {
    }
}
