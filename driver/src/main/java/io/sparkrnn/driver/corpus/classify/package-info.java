/** Labelled texts for classification: {@code label<TAB>text} lines, one folder per label, Parquet columns. */
package io.sparkrnn.driver.corpus.classify;
