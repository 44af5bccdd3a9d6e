/** Losses of the heads: softmax cross-entropy with an ignore index, and mean squared error. */
package io.sparkrnn.engine.loss;
