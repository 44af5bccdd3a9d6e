/** Encoder-decoder (sequence-to-sequence) models: Luong attention, teacher-forced training, greedy and beam decoding. */
package io.sparkrnn.engine.seq2seq;
