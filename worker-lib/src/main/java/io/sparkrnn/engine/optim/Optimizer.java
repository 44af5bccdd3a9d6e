package io.sparkrnn.engine.optim;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An inner optimizer that updates one flat parameter vector in place. Parameters, gradients and every state
 * vector are rank-1 arrays of {@link #size()} elements of {@link #dataType()}, laid out by the same
 * {@code ParamLayout}, so the update is element-wise on the whole vector.
 *
 * <p>Lifecycle: {@link OptimizerConfig#create} (step count 0, zero state) -&gt; {@link #step}* -&gt;
 * {@link #state()} / {@link #loadState} to checkpoint or move the state between workers -&gt; {@link #reset()}
 * (back to step count 0, zero state). {@link #copy()} gives the same config with fresh state; to continue a run
 * elsewhere call {@code copy().loadState(state(), stepCount())}, which then steps bit for bit like the original.
 *
 * <p>Not thread-safe: one optimizer per parameter vector and thread.
 */
public interface Optimizer {

    /** The settings this optimizer was created from. */
    OptimizerConfig config();

    /** Length of the parameter, gradient and state vectors. */
    long size();

    /** Dtype of the parameter, gradient and state vectors (FLOAT or DOUBLE). */
    DataType dataType();

    /**
     * One update of {@code params} in place from {@code grads}; increments {@link #stepCount()}.
     * {@code grads} is read only and never modified.
     *
     * @param params rank-1 vector of {@link #size()} elements of {@link #dataType()}, updated in place
     * @param grads  gradient of the loss with respect to {@code params}, same length and dtype
     * @param lr     learning rate for this step, finite and &gt;= 0 (usually from an {@link LrSchedule})
     */
    void step(INDArray params, INDArray grads, double lr);

    /** Number of steps taken since creation or the last {@link #reset()} (or as set by {@link #loadState}). */
    long stepCount();

    /**
     * The state vectors by PyTorch's names ({@code momentum_buffer}; {@code exp_avg}, {@code exp_avg_sq}) in a
     * fixed order; empty for plain SGD. The map and its arrays are copies: changing them does not change this
     * optimizer. The step count is not included; read it from {@link #stepCount()}.
     */
    Map<String, INDArray> state();

    /**
     * Replaces the state with copies of {@code state}, which must hold exactly the names of {@link #state()},
     * each a rank-1 vector of {@link #size()} elements of {@link #dataType()}. Nothing changes if any check fails.
     *
     * @param stepCount the step count that goes with {@code state}, &gt;= 0
     */
    void loadState(Map<String, INDArray> state, long stepCount);

    /**
     * {@link #state()} as float32 copies, by name in the same order: what moves the state between processes, read
     * in bulk from the live vectors (float32 ones without an ND4J op).
     */
    Map<String, float[]> stateFloats();

    /**
     * {@link #loadState} from float32 vectors, written in bulk into the live ones (float32 ones without an ND4J op);
     * the same checks, and nothing changes if any fails.
     */
    void loadStateFloats(Map<String, float[]> state, long stepCount);

    /** Zeroes the state and the step count, as if freshly created. */
    void reset();

    /** A new optimizer with the same config, size and dtype, and fresh state. */
    default Optimizer copy() {
        return config().create(size(), dataType());
    }
}
