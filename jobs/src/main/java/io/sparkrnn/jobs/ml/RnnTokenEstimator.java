package io.sparkrnn.jobs.ml;

import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;

/**
 * An estimator whose input is tokens (the language model, the classifier, the tagger, the encoder-decoder): the
 * vocabulary's minimum count and size and the embedding width, each bound to its config key; the rest as
 * {@link RnnEstimator}. The forecaster reads numbers and has none of these.
 *
 * @param <M> the fitted model
 * @param <S> the estimator itself, for chained setters
 */
public abstract class RnnTokenEstimator<M extends Model<M>, S extends RnnTokenEstimator<M, S>>
        extends RnnEstimator<M, S> {
    private static final long serialVersionUID = 1L;
    private final IntParam minCount;
    private final IntParam maxVocabulary;
    private final IntParam embedding;

    protected RnnTokenEstimator(String uid, String predictionDefault) {
        super(uid, predictionDefault);
        minCount = bind("minCount", "vocab.min-count");
        maxVocabulary = bind("maxVocabulary", "vocab.max-size");
        embedding = bind("embedding", "model.embedding");
    }

    public IntParam minCount() {
        return minCount;
    }

    public S setMinCount(int v) {
        return setValue(minCount, v);
    }

    public IntParam maxVocabulary() {
        return maxVocabulary;
    }

    public S setMaxVocabulary(int v) {
        return setValue(maxVocabulary, v);
    }

    public IntParam embedding() {
        return embedding;
    }

    public S setEmbedding(int v) {
        return setValue(embedding, v);
    }
}
