/** Truncated BPTT training: per-window optimizer steps with clipping, step reports and stream batching. */
package io.sparkrnn.engine.train;
