package io.sparkrnn.jobs.ml;

import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;

/**
 * An estimator fitted on an input column and a label column (the classifier, the tagger, the encoder-decoder); the
 * rest as {@link RnnTokenEstimator}.
 *
 * @param <M> the fitted model
 * @param <S> the estimator itself, for chained setters
 */
public abstract class RnnLabelledEstimator<M extends Model<M>, S extends RnnLabelledEstimator<M, S>>
        extends RnnTokenEstimator<M, S> {
    private static final long serialVersionUID = 1L;
    private final Param<String> inputCol;
    private final Param<String> labelCol;

    protected RnnLabelledEstimator(String uid, String inputDefault, String labelDefault, String predictionDefault) {
        super(uid, predictionDefault);
        inputCol = column("inputCol", "input column", inputDefault);
        labelCol = column("labelCol", "label column", labelDefault);
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public S setInputCol(String v) {
        return setValue(inputCol, v);
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public String getLabelCol() {
        return getOrDefault(labelCol);
    }

    public S setLabelCol(String v) {
        return setValue(labelCol, v);
    }
}
