/**
 * Spark ML stages: the classifier, the tagger and the encoder-decoder as {@link org.apache.spark.ml.Estimator}s
 * whose models are {@link org.apache.spark.ml.Transformer}s, usable in a {@link org.apache.spark.ml.Pipeline} beside
 * Spark's own stages. Their settings are typed params whose defaults and ranges are those of the config keys
 * ({@link io.sparkrnn.jobs.ConfigSchema}); {@code fit} runs the {@code train} command's run on the rows of a
 * Dataset, {@code transform} the {@code predict} command's model code on the executors; a fitted model saves its
 * model folder beside Spark's metadata.
 */
package io.sparkrnn.jobs.ml;
