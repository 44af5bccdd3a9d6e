/**
 * Tagged sentences for sequence tagging: Brown {@code word/TAG} lines, CoNLL columns, Parquet columns; a tagging
 * run's prepared data and its scoring and tagging jobs.
 */
package io.sparkrnn.driver.corpus.tagging;
