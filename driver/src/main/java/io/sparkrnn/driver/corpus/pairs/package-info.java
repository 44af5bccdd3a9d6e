/** Sequence-to-sequence pairs: TSV, CMUdict and Parquet readers, their encoding, and their batching. */
package io.sparkrnn.driver.corpus.pairs;
