/** Small helpers shared by the engine and the command line. */
package io.sparkrnn.engine.util;
