package io.sparkrnn.engine.seq2seq;

import io.sparkrnn.engine.loss.LossResult;
import io.sparkrnn.engine.loss.SoftmaxCrossEntropy;
import io.sparkrnn.engine.model.Model;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.StepResult;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.Init;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.tensor.Tensors;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An encoder-decoder model with optional Luong global attention (Luong et al. 2015), trained with teacher
 * forcing. Parameters live in one flat vector whose layout matches a PyTorch module with submodules
 * {@code src_embedding}, {@code encoder} (nn.LSTM/GRU/RNN), {@code bridge}, {@code tgt_embedding},
 * {@code decoder}, {@code attn} (GENERAL only, Linear(D*H_e, H_d, bias=False)), {@code attn_combine} and
 * {@code out}.
 *
 * <p>Shapes: S = source steps, T = target steps (longest target + 1), B = batch, D = encoder directions,
 * W = D * H_e (encoder output width), H = H_d, R = 2 for the LSTM (h and c) else 1.
 * <ul>
 * <li>Encoder: memory M = top-layer output {@code [S, B, W]} over the masked source.</li>
 * <li>Bridge, per decoder layer k reading encoder layer e(k) = clamp(L_e - L_d + k, 0, L_e - 1) (top layers
 * aligned): z = [h_fwd; h_rev (; c_fwd; c_rev)] {@code [B, R*W]}, y = z W_b^T + b_b {@code [B, R*H]},
 * h0 = tanh(y[:H]), c0 = y[H:] (one bridge shared by all layers).</li>
 * <li>Decoder step t: input [emb(u_t) (; h~_{t-1})] with u = bos y_1 .. y_n; top state h_t.</li>
 * <li>Attention: score_j = h_t . k_j with k_j = M_j (DOT) or W_a M_j (GENERAL), softmax over the valid
 * source steps, context c_t = sum_j a_j M_j, h~_t = tanh(W_c [c_t; h_t] + b_c).</li>
 * <li>Output: logits = out(h~_t) (or out(h_t) without attention; h~_t through inverted dropout {@code ioDropout}
 * while training), out's weight the target embedding when tied; targets y_1 .. y_n eos; loss = mean cross-entropy
 * over the valid target steps, label-smoothed while training when {@code labelSmoothing} &gt; 0.</li>
 * </ul>
 * The decoder runs step by step (windows of one step) so that input feeding can read h~_{t-1}. This class composes
 * the parts, each with its forward and backward pass: {@link Encoder}, {@link Bridge}, {@link Attention} and
 * {@link Decoder}; it owns the parameter layout, the teacher-forced loss and the padding and checking of batches.
 */
public final class Seq2SeqModel implements Model {
    private static final int IGNORE = -100;
    private final Seq2SeqSpec spec;
    private final Encoder encoder;
    private final Bridge bridge;
    private final Attention attention;
    private final Decoder decoder;
    private final ParamLayout layout;

    public Seq2SeqModel(Seq2SeqSpec spec) {
        this.spec = spec;
        this.encoder = new Encoder(spec);
        this.bridge = new Bridge(spec);
        this.attention = new Attention(spec);
        this.decoder = new Decoder(spec, attention);
        // PyTorch's module order: src_embedding, encoder, bridge, tgt_embedding, decoder, attn, attn_combine, out
        ParamLayout.Builder b = ParamLayout.builder();
        encoder.addTo(b);
        bridge.addTo(b);
        decoder.addTo(b);
        attention.addTo(b);
        decoder.addOutputTo(b);
        this.layout = b.build();
    }

    @Override
    public Seq2SeqSpec spec() {
        return spec;
    }

    @Override
    public ParamLayout layout() {
        return layout;
    }

    /**
     * Fresh parameters as PyTorch initialises its modules: embeddings N(0, 1) with the padding row zero;
     * recurrent tensors U(-1/sqrt(H), 1/sqrt(H)) with the stack's H; linear maps U(-1/sqrt(in), 1/sqrt(in)).
     */
    @Override
    public FlatParams initParams(long seed, DataType dtype) {
        SplittableRandom rng = new SplittableRandom(seed);
        FlatParams p = FlatParams.zeros(layout, dtype);
        for (ParamLayout.Entry e : layout.entries()) {
            double[] v;
            String n = e.name();
            if (n.endsWith("embedding.weight")) {
                v = Init.normal(rng, (int) e.length());
                int dim = (int) e.shape()[1];
                if (spec.paddingId() >= 0) {
                    Arrays.fill(v, spec.paddingId() * dim, (spec.paddingId() + 1) * dim, 0.0);
                }
            } else {
                double fanIn = n.startsWith("encoder.") ? spec.encoderHidden()
                        : n.startsWith("decoder.") ? spec.decoderHidden()
                        : n.startsWith("bridge.") ? bridge.in()
                        : n.startsWith("attn.") ? spec.encoderOutputWidth()
                        : n.startsWith("attn_combine.") ? attention.combineIn() : decoder.outputIn();
                v = Init.uniform(rng, (int) e.length(), 1.0 / Math.sqrt(fanIn));
            }
            Init.set(p, e, v);
        }
        return p;
    }

    /**
     * Teacher-forced forward and backward: adds the gradient of the mean cross-entropy over all target tokens
     * (y_1 .. y_n and eos of every row; label-smoothed with {@code spec.labelSmoothing()}, and the loss reported is
     * that training objective) into {@code grads}. {@code dropoutSeed} seeds the dropout masks.
     */
    public StepResult lossAndGradient(FlatParams params, FlatParams grads, Seq2SeqBatch batch, long dropoutSeed) {
        if (!grads.layout().equals(layout)) {
            throw new IllegalArgumentException("gradient vector has another layout than the model");
        }
        return run(params, grads, batch, true, dropoutSeed);
    }

    /**
     * The training objective of {@link #lossAndGradient} (the same dropout masks from {@code dropoutSeed}, label
     * smoothing) without its backward pass: the function whose derivative the gradient checks compare against.
     */
    StepResult trainingLoss(FlatParams params, Seq2SeqBatch batch, long dropoutSeed) {
        return run(params, null, batch, true, dropoutSeed);
    }

    /** The teacher-forced loss without gradients or dropout: the plain cross-entropy (no label smoothing). */
    public StepResult loss(FlatParams params, Seq2SeqBatch batch) {
        return run(params, null, batch, false, 0);
    }

    private StepResult run(FlatParams params, FlatParams grads, Seq2SeqBatch batch, boolean training, long seed) {
        checkParams(params);
        Padded in = pad(batch);
        Encoded enc = encode(params, in.src, in.srcLen, in.s, training, seed);
        Decoder.State dec = decoder.start(params, enc, identity(in.b), training, seed);
        INDArray headIn = Nd4j.create(params.dataType(), in.t, in.b, spec.decoderHidden());
        Decoder.Step[] steps = new Decoder.Step[in.t];
        for (int t = 0; t < in.t; t++) {
            steps[t] = dec.step(Arrays.copyOfRange(in.decIn, t * in.b, (t + 1) * in.b), t);
            Tensors.step(headIn, t).assign(steps[t].head);
        }
        INDArray headMask = null;
        if (training && spec.ioDropout() > 0) {
            headMask = DropoutMask.of(headIn, seed * 1_000_003L - 1, spec.ioDropout());
            headIn.muli(headMask);
        }
        INDArray logits = decoder.logits(params, Tensors.as2d(headIn));
        LossResult lr = SoftmaxCrossEntropy.compute(logits, in.decTgt, in.valid, IGNORE, 0, null,
                training ? spec.labelSmoothing() : 0.0);
        if (grads != null && lr.count() > 0) {
            INDArray dHead = decoder.logitsBackward(params, grads, Tensors.as2d(headIn), lr.gradient())
                    .reshape(in.t, in.b, spec.decoderHidden());
            if (headMask != null) {
                dHead.muli(headMask);
            }
            backward(params, grads, enc, dec, steps, dHead);
        }
        return new StepResult(lr.sum(), lr.count());
    }

    /**
     * Back through time from d head {@code [T, B, H]}: per step, last first, the attention (accumulating dM and dK)
     * and the decoder; then the bridge, the memory's gradient and the encoder.
     */
    private void backward(FlatParams p, FlatParams g, Encoded enc, Decoder.State dec, Decoder.Step[] steps,
            INDArray dHead) {
        INDArray[] dh = new INDArray[spec.decoderLayers()];
        INDArray[] dc = new INDArray[spec.decoderLayers()];
        double[] dMem = new double[enc.mem.length];
        double[] dKeys = new double[enc.keys.length];
        INDArray dFeed = null;
        for (int t = steps.length - 1; t >= 0; t--) {
            Decoder.Step st = steps[t];
            INDArray dTop = Tensors.step(dHead, t).dup('c');
            if (dFeed != null) {
                dTop.addi(dFeed);
            }
            if (attention.active()) {
                dTop = attention.backward(p, g, enc, dec.rowOf, st, dTop, dMem, dKeys);
            }
            dFeed = decoder.backward(p, g, st, dTop, dh, dc);
        }
        encoder.backward(p, g, enc, bridge.backward(p, g, enc, dh, dc), attention.memoryGradient(p, g, enc, dMem,
                dKeys));
    }

    /** The encoder's pass over a padded source {@code [S*B]} and the derived memory, keys and bridge. */
    private Encoded encode(FlatParams p, int[] src, int[] srcLen, int s, boolean training, long seed) {
        Encoded enc = encoder.forward(p, src, srcLen, s, training, seed);
        attention.keys(p, enc);
        bridge.forward(p, enc);
        return enc;
    }

    /** Encodes sources and returns a decoder positioned before {@code <bos>}, one row per source. */
    Decoder.State startDecoding(FlatParams params, java.util.List<int[]> sources) {
        checkParams(params);
        int b = sources.size();
        if (b == 0) {
            throw new IllegalArgumentException("expected at least one source, found none");
        }
        int[] len = new int[b];
        int s = 0;
        for (int r = 0; r < b; r++) {
            checkSource(sources.get(r), r);
            len[r] = sources.get(r).length;
            s = Math.max(s, len[r]);
        }
        int[] src = padTimeMajor(sources, s, 0);
        Encoded enc = encode(params, src, len, s, false, 0);
        return decoder.start(params, enc, identity(b), false, 0);
    }

    // ---------------------------------------------------------------- batches and validation

    /** A batch padded time-major: source [S*B], decoder inputs and targets [T*B], valid target steps. */
    private static final class Padded {
        int s;
        int t;
        int b;
        int[] src;
        int[] srcLen;
        int[] decIn;
        int[] decTgt;
        boolean[] valid;
    }

    private Padded pad(Seq2SeqBatch batch) {
        Padded x = new Padded();
        x.b = batch.batchSize();
        x.srcLen = new int[x.b];
        for (int r = 0; r < x.b; r++) {
            checkSource(batch.sources().get(r), r);
            checkTarget(batch.targets().get(r), r);
            x.srcLen[r] = batch.sources().get(r).length;
            x.s = Math.max(x.s, x.srcLen[r]);
            x.t = Math.max(x.t, batch.targets().get(r).length + 1);
        }
        x.src = padTimeMajor(batch.sources(), x.s, 0);
        x.decIn = new int[x.t * x.b];
        x.decTgt = new int[x.t * x.b];
        x.valid = new boolean[x.t * x.b];
        Arrays.fill(x.decIn, Math.max(spec.paddingId(), 0));
        Arrays.fill(x.decTgt, IGNORE);
        for (int r = 0; r < x.b; r++) {
            int[] y = batch.targets().get(r);
            for (int t = 0; t <= y.length; t++) {
                x.decIn[t * x.b + r] = t == 0 ? spec.beginId() : y[t - 1];
                x.decTgt[t * x.b + r] = t == y.length ? spec.endId() : y[t];
                x.valid[t * x.b + r] = true;
            }
        }
        return x;
    }

    private int[] padTimeMajor(java.util.List<int[]> rows, int steps, int unused) {
        int b = rows.size();
        int[] out = new int[steps * b];
        Arrays.fill(out, Math.max(spec.paddingId(), 0));
        for (int r = 0; r < b; r++) {
            int[] row = rows.get(r);
            for (int t = 0; t < row.length; t++) {
                out[t * b + r] = row[t];
            }
        }
        return out;
    }

    private void checkSource(int[] src, int row) {
        if (src == null || src.length == 0) {
            throw new IllegalArgumentException("source of row " + row + " is empty; expected at least one token");
        }
        if (src.length > spec.maxSourceLength()) {
            throw new IllegalArgumentException("source of row " + row + " has " + src.length
                    + " tokens, expected at most maxSourceLength=" + spec.maxSourceLength());
        }
        for (int i = 0; i < src.length; i++) {
            if (src[i] < 0 || src[i] >= spec.sourceVocab()) {
                throw new IllegalArgumentException("source token " + i + " of row " + row + " must be in [0, "
                        + spec.sourceVocab() + "), found " + src[i]);
            }
        }
    }

    private void checkTarget(int[] tgt, int row) {
        if (tgt == null || tgt.length == 0) {
            throw new IllegalArgumentException("target of row " + row + " is empty; expected at least one token");
        }
        for (int i = 0; i < tgt.length; i++) {
            if (tgt[i] < 0 || tgt[i] >= spec.targetVocab()) {
                throw new IllegalArgumentException("target token " + i + " of row " + row + " must be in [0, "
                        + spec.targetVocab() + "), found " + tgt[i]);
            }
        }
    }

    private void checkParams(FlatParams params) {
        if (!params.layout().equals(layout)) {
            throw new IllegalArgumentException("parameter vector has another layout than the model: expected "
                    + layout.size() + " values in " + layout.entries().size() + " tensors, found "
                    + params.layout().size() + " in " + params.layout().entries().size());
        }
    }

    private static int[] identity(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
