/**
 * Sequence-to-sequence pairs: TSV, CMUdict and Parquet readers, their encoding, and their batching; a seq2seq
 * run's prepared data, its scores (error rates, BLEU) and its scoring and decoding jobs.
 */
package io.sparkrnn.driver.corpus.pairs;
