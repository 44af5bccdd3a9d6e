/** Sequence models (aligned and pooled topologies), their specs, batches, state and sampling. */
package io.sparkrnn.engine.model;
