/** Inner optimizers, learning-rate schedules and gradient clipping acting element-wise on one flat parameter vector. */
package io.sparkrnn.engine.optim;
