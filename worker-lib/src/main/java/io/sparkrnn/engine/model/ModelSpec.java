package io.sparkrnn.engine.model;

import io.sparkrnn.engine.param.ParamLayout;
import java.util.Map;
import java.util.function.Function;

/**
 * What a model is, whatever its family: a {@link SequenceSpec} (one recurrent stack and a head: language model,
 * tagger, classifier, forecaster) or a {@link Seq2SeqSpec} (encoder-decoder). Immutable and validated when built;
 * saved as {@code model.json} ({@link ModelJson}) beside the weights and in every checkpoint.
 *
 * <p>Everything the training loop, checkpoints, model folders and the console need is here, the same for both
 * families. Where callers do different things per family (the replica that trains it, the exporter, what a task
 * predicts with it) they branch with {@link #match}, the exhaustive stand-in for a pattern {@code switch} over
 * this sealed type (a preview feature in Java 17).
 */
public sealed interface ModelSpec extends java.io.Serializable permits SequenceSpec, Seq2SeqSpec {

    /** The {@code "kind"} of its {@code model.json}: {@link ModelJson#KIND_SEQUENCE} or {@link ModelJson#KIND_SEQ2SEQ}. */
    String kind();

    /** A new model instance of this spec (working buffers are per instance: one per thread). */
    Model newModel();

    /** The layout of the flat parameter vector: PyTorch names and shapes in order. */
    default ParamLayout layout() {
        return newModel().layout();
    }

    /** One line for the console: family, cell, sizes and the parameter count. */
    String describe();

    /** The {@code model.json} document of this spec with {@code provenance} (null or empty for none). */
    default String toJson(Map<String, String> provenance) {
        return ModelJson.write(this, provenance);
    }

    /**
     * The result of {@code sequence} or {@code seq2seq}, whichever takes this spec's family. Adding a family adds a
     * parameter here, so every place that branches on the family fails to compile until it handles the new one.
     */
    <R> R match(Function<? super SequenceSpec, ? extends R> sequence, Function<? super Seq2SeqSpec, ? extends R> seq2seq);
}
