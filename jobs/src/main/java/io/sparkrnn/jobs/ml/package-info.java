/**
 * Spark ML stages: the five tasks (classifier, tagger, encoder-decoder, forecaster, language model) as
 * {@link org.apache.spark.ml.Estimator}s whose models are {@link org.apache.spark.ml.Transformer}s, usable in a
 * {@link org.apache.spark.ml.Pipeline} beside Spark's own stages. Their settings are typed params whose defaults and
 * ranges are those of the config keys ({@link io.sparkrnn.jobs.config.ConfigSchema}); {@code fit} runs the {@code train}
 * command's run on the rows of a Dataset, {@code transform} the {@code predict} command's model code on the
 * executors; a fitted model saves its model folder beside Spark's metadata.
 */
package io.sparkrnn.jobs.ml;
