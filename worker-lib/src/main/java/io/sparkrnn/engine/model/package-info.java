/**
 * What a model is ({@link io.sparkrnn.engine.model.ModelSpec}: a sequence model's {@code SequenceSpec} or an
 * encoder-decoder's {@code Seq2SeqSpec}), its {@code model.json} and the {@code Model} both families implement; and
 * sequence models (aligned and pooled topologies), their batches, state and sampling.
 */
package io.sparkrnn.engine.model;
