/** The flat parameter vector and its immutable named layout, shared by weights, gradients and optimizer state. */
package io.sparkrnn.engine.param;
