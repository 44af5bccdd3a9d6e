package io.sparkrnn.jobs;

import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.seq2seq.Hypothesis;
import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import java.io.Serializable;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained encoder-decoder model as broadcast to evaluation and prediction tasks (spec and flat weights), as
 * {@link LocalModel} is for sequence models: each task takes its own {@link #copy} and decodes its rows.
 */
final class LocalSeq2Seq implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Seq2SeqSpec spec;
    private final float[] weights;
    private transient Seq2SeqModel model;
    private transient FlatParams params;

    LocalSeq2Seq(Seq2SeqSpec spec, float[] weights) {
        this.spec = spec;
        this.weights = weights;
    }

    static LocalSeq2Seq of(Seq2SeqSpec spec, FlatParams params) {
        return new LocalSeq2Seq(spec, params.flat().castTo(DataType.FLOAT).data().asFloat());
    }

    /** A private instance for one task (shares the immutable weights). */
    LocalSeq2Seq copy() {
        return new LocalSeq2Seq(spec, weights);
    }

    Seq2SeqSpec spec() {
        return spec;
    }

    /**
     * One hypothesis per source (each of 1 to {@code spec.maxSourceLength} tokens): greedy when {@code beam} is
     * 1, else beam search of that width; scores normalised with {@code alpha}.
     */
    List<Hypothesis> decode(List<int[]> sources, int beam, double alpha) {
        if (model == null) {
            model = new Seq2SeqModel(spec);
            params = FlatParams.zeros(model.layout(), DataType.FLOAT);
            params.flat().assign(Nd4j.createFromArray(weights));
        }
        return beam <= 1 ? Seq2SeqDecoding.greedy(model, params, sources, alpha)
                : Seq2SeqDecoding.beam(model, params, sources, beam, alpha);
    }
}
