/** Tagged sentences for sequence tagging: Brown word/TAG lines, CoNLL columns and Parquet columns. */
package io.sparkrnn.driver.corpus.tagging;
