/**
 * The language-model corpus: plain text or a Parquet text column to token ids and contiguous, token-balanced
 * stream partitions (read on the executors, or in the driver for a small text); a language-model run's prepared
 * data.
 */
package io.sparkrnn.driver.corpus.lm;
