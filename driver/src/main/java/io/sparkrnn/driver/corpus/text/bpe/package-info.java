/**
 * Byte-pair encoding (Sennrich, Haddow and Birch 2016): subword units learned from word counts on Spark
 * ({@link io.sparkrnn.driver.corpus.text.bpe.BpeLearner}), applied and undone by
 * {@link io.sparkrnn.driver.corpus.text.bpe.Bpe}, stored with the model as a merges file.
 */
package io.sparkrnn.driver.corpus.text.bpe;
