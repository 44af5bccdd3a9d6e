/** Recurrent cells (SimpleRNN, LSTM, GRU) with forward and backward passes over a window of time steps. */
package io.sparkrnn.engine.cell;
