package io.sparkrnn.engine.model;

import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A model instance of either family ({@link SequenceModel}, {@code seq2seq.Seq2SeqModel}), built from its
 * {@link ModelSpec}: what saving, checkpoints and the round loop need without knowing the family. Parameters live
 * outside the model, in one flat vector of its {@link #layout()}.
 */
public interface Model {

    ModelSpec spec();

    /** The layout of the flat parameter vector: PyTorch names and shapes in order. */
    ParamLayout layout();

    /** Fresh parameters as PyTorch initialises the equivalent modules, seeded. */
    FlatParams initParams(long seed, DataType dtype);

    /**
     * This model as {@code family} ({@code SequenceModel.class} or {@code Seq2SeqModel.class}), for a caller that
     * only works with that family (a language model's sampler, a seq2seq decoder).
     *
     * @throws IllegalArgumentException naming both when this model is of another family
     */
    default <M extends Model> M as(Class<M> family) {
        if (!family.isInstance(this)) {
            throw new IllegalArgumentException("this is a " + spec().kind() + " model (\"kind\": \"" + spec().kind()
                    + "\"), not a " + family.getSimpleName());
        }
        return family.cast(this);
    }
}
