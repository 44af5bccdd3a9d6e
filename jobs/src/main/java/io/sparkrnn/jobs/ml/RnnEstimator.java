package io.sparkrnn.jobs.ml;

import io.sparkrnn.jobs.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.types.StructType;

/**
 * What the estimators share: the prediction column, the run's output folder, and the data, model and training settings users set most, each a typed
 * param bound to its config key (default and range the key's; {@link ConfigParams}). {@link #settings} turns them
 * into the {@code key=value} settings of the {@code train} command's config; the keys without a param keep their
 * defaults.
 *
 * @param <M> the fitted model
 * @param <S> the estimator itself, for chained setters
 */
public abstract class RnnEstimator<M extends Model<M>, S extends RnnEstimator<M, S>> extends Estimator<M>
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final List<ConfigParams.Binding> bindings = new ArrayList<>();

    private final Param<String> predictionCol;
    private final Param<String> outputDir;
    private final DoubleParam validationFraction;
    private final DoubleParam maxBadFraction;
    private final Param<String> cell;
    private final IntParam hidden;
    private final IntParam layers;
    private final DoubleParam dropout;
    private final BooleanParam bidirectional;
    private final IntParam batch;
    private final Param<String> optimizer;
    private final DoubleParam learningRate;
    private final IntParam rounds;
    private final IntParam partitions;
    private final IntParam localSteps;
    private final IntParam seed;
    private final IntParam evalEvery;

    protected RnnEstimator(String uid, String predictionDefault) {
        this.uid = uid;
        predictionCol = column("predictionCol", "output column of the predictions", predictionDefault);
        outputDir = new Param<>(uid, "outputDir", "the training run's output.dir (checkpoints, metrics.jsonl, "
                + "eval.json, report.html, model/; a local path or a URI), kept after fit; empty: a temporary "
                + "folder, deleted once the model is read");
        setDefault(outputDir, "");
        validationFraction = bind("validationFraction", "data.validation-fraction");
        maxBadFraction = bind("maxBadFraction", "data.max-bad-fraction");
        cell = bind("cell", "model.cell");
        hidden = bind("hidden", "model.hidden");
        layers = bind("layers", "model.layers");
        dropout = bind("dropout", "model.dropout");
        bidirectional = bind("bidirectional", "model.bidirectional");
        batch = bind("batch", "train.batch");
        optimizer = bind("optimizer", "train.optimizer");
        learningRate = bind("learningRate", "train.lr");
        rounds = bind("rounds", "train.rounds");
        partitions = bind("partitions", "train.partitions");
        localSteps = bind("localSteps", "train.local-steps");
        seed = bind("seed", "train.seed");
        evalEvery = bind("evalEvery", "eval.every");
    }

    @Override
    public String uid() {
        return uid;
    }

    /** A string param naming a column, with its default. */
    protected final Param<String> column(String name, String doc, String defaultName) {
        Param<String> p = new Param<>(uid, name, doc);
        setDefault(p, defaultName);
        return p;
    }

    /** A param bound to config key {@code key}, its default the key's. */
    @SuppressWarnings("unchecked")
    protected final <P extends Param<?>> P bind(String name, String key) {
        Param<Object> p = (Param<Object>) ConfigParams.of(this, name, key);
        setDefault(p, ConfigParams.defaultValue(key));
        bindings.add(new ConfigParams.Binding(p, key));
        return (P) p;
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }

    @SuppressWarnings("unchecked")
    protected final S setValue(Param<?> p, Object value) {
        set((Param<Object>) p, value);
        return self();
    }

    /** The {@code key=value} settings of every param bound to a config key. */
    protected List<String> settings() {
        List<String> s = new ArrayList<>();
        for (ConfigParams.Binding b : bindings) {
            s.add(b.setting(getOrDefault(b.param())));
        }
        return s;
    }

    /** The output.dir of the run, or null for a temporary one. */
    protected final String runDir() {
        String d = getOrDefault(outputDir);
        return d.isBlank() ? null : d;
    }

    /** A bad config as Spark ML reports bad params. */
    protected final IllegalArgumentException badSettings(ConfigException e) {
        return new IllegalArgumentException(uid + ": " + e.getMessage(), e);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return validateAndTransformSchema(schema);
    }

    /** Checks the input columns; the schema with the output columns. */
    protected abstract StructType validateAndTransformSchema(StructType schema);

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public String getPredictionCol() {
        return getOrDefault(predictionCol);
    }

    public S setPredictionCol(String v) {
        return setValue(predictionCol, v);
    }

    public Param<String> outputDir() {
        return outputDir;
    }

    public S setOutputDir(String v) {
        return setValue(outputDir, v);
    }

    public DoubleParam validationFraction() {
        return validationFraction;
    }

    public S setValidationFraction(double v) {
        return setValue(validationFraction, v);
    }

    public DoubleParam maxBadFraction() {
        return maxBadFraction;
    }

    public S setMaxBadFraction(double v) {
        return setValue(maxBadFraction, v);
    }

    public Param<String> cell() {
        return cell;
    }

    public S setCell(String v) {
        return setValue(cell, v);
    }

    public IntParam hidden() {
        return hidden;
    }

    public int getHidden() {
        return (Integer) getOrDefault(hidden);
    }

    public S setHidden(int v) {
        return setValue(hidden, v);
    }

    public IntParam layers() {
        return layers;
    }

    public S setLayers(int v) {
        return setValue(layers, v);
    }

    public DoubleParam dropout() {
        return dropout;
    }

    public S setDropout(double v) {
        return setValue(dropout, v);
    }

    public BooleanParam bidirectional() {
        return bidirectional;
    }

    public S setBidirectional(boolean v) {
        return setValue(bidirectional, v);
    }

    public IntParam batch() {
        return batch;
    }

    public S setBatch(int v) {
        return setValue(batch, v);
    }

    public Param<String> optimizer() {
        return optimizer;
    }

    public S setOptimizer(String v) {
        return setValue(optimizer, v);
    }

    public DoubleParam learningRate() {
        return learningRate;
    }

    public double getLearningRate() {
        return (Double) getOrDefault(learningRate);
    }

    public S setLearningRate(double v) {
        return setValue(learningRate, v);
    }

    public IntParam rounds() {
        return rounds;
    }

    public int getRounds() {
        return (Integer) getOrDefault(rounds);
    }

    public S setRounds(int v) {
        return setValue(rounds, v);
    }

    public IntParam partitions() {
        return partitions;
    }

    public S setPartitions(int v) {
        return setValue(partitions, v);
    }

    public IntParam localSteps() {
        return localSteps;
    }

    public S setLocalSteps(int v) {
        return setValue(localSteps, v);
    }

    public IntParam seed() {
        return seed;
    }

    public S setSeed(int v) {
        return setValue(seed, v);
    }

    public IntParam evalEvery() {
        return evalEvery;
    }

    public S setEvalEvery(int v) {
        return setValue(evalEvery, v);
    }
}
