/**
 * {@code spark-rnn bench engine}: the training step of our engine, DL4J's MultiLayerNetwork and PyTorch, each
 * timed in its own child process on the same settings, with the ND4J GEMM peak measured in the same run; and
 * {@code bench spark} / {@code bench scaling}: distributed training against dl4j-spark and across partitions; and
 * {@code bench gemm}: an LSTM projection's products in float32 against oneDNN bf16. A module of its own, so that
 * DL4J and oneDNN stay out of the runnable jar.
 */
package io.sparkrnn.bench;
