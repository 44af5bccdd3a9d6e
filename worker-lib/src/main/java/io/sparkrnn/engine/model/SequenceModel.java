package io.sparkrnn.engine.model;

import io.sparkrnn.engine.layer.Embedding;
import io.sparkrnn.engine.layer.Linear;
import io.sparkrnn.engine.layer.RecurrentStack;
import io.sparkrnn.engine.loss.LossResult;
import io.sparkrnn.engine.loss.MeanSquaredError;
import io.sparkrnn.engine.loss.SoftmaxCrossEntropy;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.Init;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.tensor.Tensors;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A recurrent sequence model: token embedding or float features, a recurrent stack, and a linear head
 * per step (aligned) or per sequence (pooled, last valid step or mean over valid steps). Parameters live
 * in one flat vector whose layout matches a PyTorch module with submodules {@code embedding}, {@code rnn}
 * and {@code head}.
 *
 * <p>Shapes: T = time, B = batch, E = embedding or feature size, H = hidden, W = directions * H,
 * C = output size.
 *
 * <p>A model instance reuses its working buffers between windows: use one instance per thread (the driver
 * builds one replica per partition).
 */
public final class SequenceModel implements Model {
    private final SequenceSpec spec;
    private final Embedding embedding;
    private final RecurrentStack rnn;
    private final Linear head;
    private final ParamLayout layout;
    private final SequencePooling pooling;
    /** Working arrays of the training and loss passes, reused from window to window (see the class comment). */
    private final Map<String, INDArray> work = new HashMap<>();

    public SequenceModel(SequenceSpec spec) {
        this.spec = spec;
        this.embedding = spec.tokenInput() ? new Embedding("embedding", spec.vocabSize(), spec.embeddingDim(),
                spec.paddingId()) : null;
        this.rnn = new RecurrentStack("rnn", spec.cell(), spec.inputSize(), spec.hiddenSize(), spec.numLayers(),
                spec.bidirectional(), spec.dropout(), spec.ioDropout());
        this.head = new Linear("head", spec.outputWidth(), spec.outputSize());
        ParamLayout.Builder b = ParamLayout.builder();
        if (embedding != null) {
            b.add(embedding.weightName(), spec.vocabSize(), spec.embeddingDim());
        }
        rnn.addTo(b);
        b.add(head.weightName(), spec.outputSize(), spec.outputWidth());
        b.add(head.biasName(), spec.outputSize());
        this.layout = b.build();
        this.pooling = new SequencePooling(spec);
    }

    @Override
    public SequenceSpec spec() {
        return spec;
    }

    @Override
    public ParamLayout layout() {
        return layout;
    }

    /**
     * An upper estimate of the native (off-heap) bytes one training replica holds: parameters, gradients,
     * {@code optimizerVectors} optimizer state vectors and a work vector, plus the activations and gradients of one
     * window of {@code steps} x {@code batch} (states, gates, caches, their gradients, the head's logits), all
     * in {@code bytesPerValue}-byte values.
     */
    public long workingBytes(int batch, int steps, int optimizerVectors, int bytesPerValue) {
        long p = layout.size();
        long values = p * (3L + optimizerVectors);
        long t = steps;
        long b = batch;
        long h = spec.hiddenSize();
        long g = (long) spec.cell().gates() * h;
        long width = spec.inputSize();
        for (int l = 0; l < spec.numLayers(); l++) {
            long perDirection = 2 * (t + 1) * b * h + 2 * t * b * g + t * b * h + b * g + 2 * b * h + t * b * width;
            values += spec.directions() * perDirection + t * b * spec.outputWidth();
            width = spec.outputWidth();
        }
        long rows = spec.topology() == SequenceSpec.Topology.ALIGNED ? t * b : b;
        values += t * b * spec.inputSize() * 2 + rows * spec.outputSize() * 3 + rows * spec.outputWidth() * 2;
        return values * bytesPerValue;
    }

    /**
     * Fresh parameters initialised as PyTorch does: embedding N(0, 1) with the padding row zero; recurrent
     * weights and biases U(-1/sqrt(H), 1/sqrt(H)); head weight and bias U(-1/sqrt(in), 1/sqrt(in)). Seeded.
     */
    @Override
    public FlatParams initParams(long seed, DataType dtype) {
        SplittableRandom rng = new SplittableRandom(seed);
        FlatParams p = FlatParams.zeros(layout, dtype);
        for (ParamLayout.Entry e : layout.entries()) {
            double[] v;
            if (embedding != null && e.name().equals(embedding.weightName())) {
                v = Init.normal(rng, (int) e.length());
                if (spec.paddingId() >= 0) {
                    java.util.Arrays.fill(v, spec.paddingId() * spec.embeddingDim(),
                            (spec.paddingId() + 1) * spec.embeddingDim(), 0.0);
                }
            } else {
                double k = e.name().startsWith("head.") ? 1.0 / Math.sqrt(spec.outputWidth())
                        : 1.0 / Math.sqrt(spec.hiddenSize());
                v = Init.uniform(rng, (int) e.length(), k);
            }
            Init.set(p, e, v);
        }
        return p;
    }


    /** The zero state for a batch of {@code batch} rows. */
    public ModelState initialState(int batch, DataType dtype) {
        return new ModelState(rnn.zeroState(batch, dtype));
    }

    /**
     * Forward and backward over one window. Adds the gradient of {@code lossSum / count} (over the whole
     * window) into {@code grads}; back-propagation through time covers steps {@code t >= gradStart} only
     * (truncated BPTT with k2 = T - gradStart: the head still sees every step, the recurrence only the last k2).
     * Replaces the state in {@code state} with this window's final state. A pooled model's window that does not
     * end its sequences only advances the state and returns count 0.
     */
    public StepResult lossAndGradient(FlatParams params, FlatParams grads, SequenceBatch batch, ModelState state,
            int gradStart, long dropoutSeed) {
        return run(params, grads, batch, state, gradStart, true, dropoutSeed, null);
    }

    /**
     * {@link #lossAndGradient(FlatParams, FlatParams, SequenceBatch, ModelState, int, long)} for one row block of a
     * larger batch ({@code batch} and {@code state} are the block's rows): the gradient added is that of
     * {@code lossSum / block.divisor()}, and dropout masks are the whole batch's rows of the block. The returned
     * result is the block's own loss sum and count.
     */
    public StepResult lossAndGradient(FlatParams params, FlatParams grads, SequenceBatch batch, ModelState state,
            int gradStart, long dropoutSeed, RowBlock block) {
        if (block != null && block.firstRow() + batch.batchSize() > block.fullBatch()) {
            throw new IllegalArgumentException("block of " + batch.batchSize() + " rows from row " + block.firstRow()
                    + " outside a batch of " + block.fullBatch());
        }
        return run(params, grads, batch, state, gradStart, true, dropoutSeed, block);
    }

    /**
     * How many targets the loss of this window counts, i.e. the {@code count} of its {@link StepResult}: aligned
     * models the valid steps whose target is not the ignore index; pooled models, in the window that ends the
     * sequences, the labels that are not the ignore index (cross-entropy) or every regression value (MSE), and 0 in
     * earlier windows.
     */
    public long targetCount(SequenceBatch batch) {
        int b = batch.batchSize();
        int[] targets = batch.targets();
        long n = 0;
        if (spec.topology() == SequenceSpec.Topology.ALIGNED) {
            int[] len = batch.lengths();
            for (int i = 0; i < targets.length; i++) {
                if (i / b < len[i % b] && targets[i] != spec.ignoreIndex()) {
                    n++;
                }
            }
            return n;
        }
        if (!batch.isLast()) {
            return 0;
        }
        if (spec.loss() == SequenceSpec.Loss.MSE) {
            return batch.values().length;
        }
        for (int label : targets) {
            if (label != spec.ignoreIndex()) {
                n++;
            }
        }
        return n;
    }

    /**
     * The training objective of {@link #lossAndGradient(FlatParams, FlatParams, SequenceBatch, ModelState, int, long)}
     * (the same dropout masks from {@code dropoutSeed}) without its backward pass: the function whose derivative the
     * gradient checks compare against. Advances {@code state}.
     */
    StepResult trainingLoss(FlatParams params, SequenceBatch batch, ModelState state, long dropoutSeed) {
        return run(params, null, batch, state, 0, true, dropoutSeed, null);
    }

    /** The loss of one window without gradients or dropout; advances {@code state}. */
    public StepResult loss(FlatParams params, SequenceBatch batch, ModelState state) {
        return run(params, null, batch, state, 0, false, 0, null);
    }

    /**
     * The head's outputs for one window, without dropout: aligned models {@code [T*B, C]} (row t*B+b), pooled
     * models {@code [B, C]} (only when the window ends its sequences, else null). Advances {@code state}.
     */
    public INDArray predict(FlatParams params, SequenceBatch batch, ModelState state) {
        checkCompatible(params, batch, state);
        Forward f = forward(params, batch, state, false, 0, null, false);
        state.stack = rnn.finalState(f.pass);
        return f.headOut;
    }

    private StepResult run(FlatParams params, FlatParams grads, SequenceBatch batch, ModelState state, int gradStart,
            boolean training, long dropoutSeed, RowBlock block) {
        checkCompatible(params, batch, state);
        if (grads != null && !grads.layout().equals(layout)) {
            throw new IllegalArgumentException("gradient vector has another layout than the model");
        }
        Forward f = forward(params, batch, state, training, dropoutSeed, block, true);
        // <= 0: the loss divides by this batch's own count
        double divisor = block == null ? 0 : block.divisor();
        StepResult result;
        INDArray dOut = null;
        if (f.headOut == null) {
            result = new StepResult(0, 0);
        } else if (spec.topology() == SequenceSpec.Topology.ALIGNED) {
            LossResult lr = SoftmaxCrossEntropy.compute(f.headOut, batch.targets(), f.valid, spec.ignoreIndex(),
                    divisor, work("dLogits", f.headOut.dataType(), f.headOut.shape()));
            result = new StepResult(lr.sum(), lr.count());
            if (grads != null && lr.count() > 0) {
                INDArray dH = head.backward(params.view(head.weightName()), grads.view(head.weightName()),
                        grads.view(head.biasName()), f.headIn, lr.gradient(),
                        work("dHeadIn", f.headIn.dataType(), f.headIn.shape()));
                dOut = dH.reshape(f.pass.output().shape());
            }
        } else {
            LossResult lr = spec.loss() == SequenceSpec.Loss.MSE
                    ? MeanSquaredError.compute(f.headOut, batch.values(), divisor)
                    : SoftmaxCrossEntropy.compute(f.headOut, batch.targets(), null, spec.ignoreIndex(), divisor);
            result = new StepResult(lr.sum(), lr.count());
            if (grads != null && lr.count() > 0) {
                dOut = pooling.unpool(headBackward(params, grads, f.headIn, lr.gradient()), f.pass.output(), f.mask,
                        f.pooled, batch);
            }
        }
        if (dOut != null) {
            INDArray dx = rnn.backward(params, grads, f.pass, dOut, gradStart);
            if (embedding != null) {
                int b = batch.batchSize();
                embedding.backward(grads.view(embedding.weightName()), batch.tokens(),
                        Tensors.as2d(dx), gradStart * b);
            }
        }
        state.stack = rnn.finalState(f.pass);
        if (spec.pooling() == SequenceSpec.Pooling.MEAN) {
            pooling.carry(f.pooled, batch, state);
        }
        return result;
    }

    private INDArray headBackward(FlatParams p, FlatParams g, INDArray headIn, INDArray dy) {
        return head.backward(p.view(head.weightName()), g.view(head.weightName()), g.view(head.biasName()), headIn,
                dy);
    }

    /** Everything a forward pass produced. */
    private static final class Forward {
        RecurrentStack.Pass pass;
        INDArray mask;
        boolean[] valid;
        INDArray headIn;
        INDArray headOut;
        final SequencePooling.Window pooled = new SequencePooling.Window();
    }

    /** A working array of {@code shape} for {@code key}, kept for the next window; contents are left over. */
    private INDArray work(String key, DataType dtype, long... shape) {
        INDArray a = work.get(key);
        if (a == null || a.dataType() != dtype || !Arrays.equals(a.shape(), shape)) {
            a = Nd4j.create(dtype, shape);
            work.put(key, a);
        }
        return a;
    }

    /**
     * The forward pass; with {@code reuse} its embedding output and head output live in this model's working arrays
     * (valid until the next reusing pass), else in new arrays (what {@link #predict} hands out).
     */
    private Forward forward(FlatParams params, SequenceBatch batch, ModelState state, boolean training,
            long dropoutSeed, RowBlock block, boolean reuse) {
        DataType dt = params.dataType();
        int t = batch.steps();
        int b = batch.batchSize();
        INDArray x;
        if (embedding != null) {
            embedding.checkIds(batch.tokens(), b, block == null ? 0 : block.firstRow());
            x = embedding.forward(params.view(embedding.weightName()), batch.tokens(),
                    reuse ? work("embedded", dt, (long) t * b, spec.embeddingDim()) : null)
                    .reshape(t, b, spec.embeddingDim());
        } else {
            x = Nd4j.createFromArray(batch.features()).castTo(dt).reshape(t, b, spec.featureSize());
        }
        Forward f = new Forward();
        if (!batch.isFull()) {
            double[] m = new double[t * b];
            f.valid = new boolean[t * b];
            for (int s = 0; s < t; s++) {
                for (int r = 0; r < b; r++) {
                    boolean v = s < batch.lengths()[r];
                    m[s * b + r] = v ? 1 : 0;
                    f.valid[s * b + r] = v;
                }
            }
            f.mask = Nd4j.createFromArray(m).castTo(dt).reshape(t, b);
        }
        f.pass = block == null ? rnn.forward(params, x, state.stack, f.mask, training, dropoutSeed)
                : rnn.forward(params, x, state.stack, f.mask, training, dropoutSeed, block.firstRow(),
                        block.fullBatch());
        INDArray out = f.pass.output();
        if (spec.topology() == SequenceSpec.Topology.ALIGNED) {
            f.headIn = Tensors.as2d(out);
        } else {
            f.headIn = pooling.pool(out, f.mask, batch, state, f.pooled);
        }
        if (f.headIn != null) {
            f.headOut = head.forward(params.view(head.weightName()), params.view(head.biasName()), f.headIn,
                    reuse ? work("headOut", dt, f.headIn.size(0), spec.outputSize()) : null);
        }
        return f;
    }

    private void checkCompatible(FlatParams params, SequenceBatch batch, ModelState state) {
        if (!params.layout().equals(layout)) {
            throw new IllegalArgumentException("parameter vector has another layout than the model");
        }
        if (spec.tokenInput() != (batch.tokens() != null)) {
            throw new IllegalArgumentException("model expects " + (spec.tokenInput() ? "token ids" : "float features")
                    + " as input, batch has " + (batch.tokens() != null ? "token ids" : "float features"));
        }
        if (!spec.tokenInput() && batch.featureSize() != spec.featureSize()) {
            throw new IllegalArgumentException("expected " + spec.featureSize() + " features per step, found "
                    + batch.featureSize());
        }
        if (state.batchSize() != batch.batchSize()) {
            throw new IllegalArgumentException("state has " + state.batchSize() + " rows, batch has "
                    + batch.batchSize());
        }
        boolean aligned = spec.topology() == SequenceSpec.Topology.ALIGNED;
        if (aligned != batch.perStepTargets() && batch.targets() != null) {
            throw new IllegalArgumentException("an " + spec.topology().name().toLowerCase() + " model needs "
                    + (aligned ? "per-step" : "per-sequence") + " targets");
        }
        if (spec.loss() == SequenceSpec.Loss.MSE) {
            if (batch.values() == null || batch.valueSize() != spec.outputSize()) {
                throw new IllegalArgumentException("expected " + spec.outputSize() + " regression targets per sequence, "
                        + "found " + (batch.values() == null ? "none" : batch.valueSize()));
            }
        } else if (batch.targets() == null) {
            throw new IllegalArgumentException("a cross-entropy model needs class targets");
        }
    }
}
