/**
 * Labelled texts for classification: {@code label<TAB>text} lines, one folder per label, Parquet columns; a
 * classification run's prepared data and its scoring and classifying jobs.
 */
package io.sparkrnn.driver.corpus.classify;
