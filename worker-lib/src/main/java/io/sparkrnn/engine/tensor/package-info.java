/** Array helpers over ND4J: time-major views, GEMM and masking. */
package io.sparkrnn.engine.tensor;
