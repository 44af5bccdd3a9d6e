/**
 * Sequence-to-sequence pairs: TSV ({@code source<TAB>target}, or two columns of a wider TSV), CMUdict and Parquet
 * readers, their encoding, and their batching; a seq2seq run's prepared data, its scores (error rates, BLEU; for
 * word-level targets sacreBLEU's BLEU and chrF with the copy-the-source baseline) and its scoring and decoding jobs.
 */
package io.sparkrnn.driver.corpus.pairs;
