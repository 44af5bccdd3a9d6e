/** Layers around the recurrent cells: token embedding, stacked and bidirectional recurrence, linear heads. */
package io.sparkrnn.engine.layer;
