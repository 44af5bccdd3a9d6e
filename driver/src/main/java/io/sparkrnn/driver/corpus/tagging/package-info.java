/** Tagged sentences for sequence tagging: Brown {@code word/TAG} lines, CoNLL columns, Parquet columns. */
package io.sparkrnn.driver.corpus.tagging;
