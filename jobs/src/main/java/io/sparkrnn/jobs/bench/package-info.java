/**
 * {@code spark-rnn bench engine}: the training step of our engine, DL4J's MultiLayerNetwork and PyTorch, each
 * timed in its own child process on the same settings, with the ND4J GEMM peak measured in the same run.
 */
package io.sparkrnn.jobs.bench;
