package io.sparkrnn.engine.seq2seq;

import io.sparkrnn.engine.cell.CellParams;
import io.sparkrnn.engine.cell.RecurrentCell;
import io.sparkrnn.engine.layer.Embedding;
import io.sparkrnn.engine.layer.Linear;
import io.sparkrnn.engine.layer.RecurrentStack;
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
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

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
 * <li>Output: logits = out(h~_t) (or out(h_t) without attention); targets y_1 .. y_n eos; loss = mean
 * cross-entropy over the valid target steps.</li>
 * </ul>
 * The decoder runs step by step (windows of one step) so that input feeding can read h~_{t-1}.
 */
public final class Seq2SeqModel implements Model {
    private static final int IGNORE = -100;
    private final Seq2SeqSpec spec;
    private final Embedding srcEmbedding;
    private final Embedding tgtEmbedding;
    private final RecurrentStack encoder;
    private final RecurrentStack decoder;
    private final RecurrentCell[][] encCells;
    private final RecurrentCell[] decCells;
    private final Linear bridge;
    private final Linear attnCombine;
    private final Linear out;
    private final ParamLayout layout;
    private final int stateParts;

    public Seq2SeqModel(Seq2SeqSpec spec) {
        this.spec = spec;
        int dirs = spec.encoderDirections();
        int w = spec.encoderOutputWidth();
        int h = spec.decoderHidden();
        this.stateParts = spec.cell().hasCellState() ? 2 : 1;
        this.srcEmbedding = new Embedding("src_embedding", spec.sourceVocab(), spec.sourceEmbedding(), spec.paddingId());
        this.tgtEmbedding = new Embedding("tgt_embedding", spec.targetVocab(), spec.targetEmbedding(), spec.paddingId());
        this.encoder = new RecurrentStack("encoder", spec.cell(), spec.sourceEmbedding(), spec.encoderHidden(),
                spec.encoderLayers(), spec.bidirectional(), spec.dropout());
        this.decoder = new RecurrentStack("decoder", spec.cell(), spec.decoderInputSize(), h, spec.decoderLayers(),
                false, spec.dropout());
        this.encCells = new RecurrentCell[spec.encoderLayers()][dirs];
        for (int l = 0; l < spec.encoderLayers(); l++) {
            for (int d = 0; d < dirs; d++) {
                encCells[l][d] = RecurrentCell.of(spec.cell(), l == 0 ? spec.sourceEmbedding() : w, spec.encoderHidden())
                        .withFreshBuffers();
            }
        }
        this.decCells = new RecurrentCell[spec.decoderLayers()];
        for (int k = 0; k < decCells.length; k++) {
            decCells[k] = RecurrentCell.of(spec.cell(), k == 0 ? spec.decoderInputSize() : h, h).withFreshBuffers();
        }
        this.bridge = new Linear("bridge", stateParts * w, stateParts * h);
        this.attnCombine = new Linear("attn_combine", w + h, h);
        this.out = new Linear("out", h, spec.targetVocab());
        ParamLayout.Builder b = ParamLayout.builder();
        b.add(srcEmbedding.weightName(), spec.sourceVocab(), spec.sourceEmbedding());
        encoder.addTo(b);
        b.add(bridge.weightName(), bridge.out(), bridge.in());
        b.add(bridge.biasName(), bridge.out());
        b.add(tgtEmbedding.weightName(), spec.targetVocab(), spec.targetEmbedding());
        decoder.addTo(b);
        if (spec.attention() == Seq2SeqSpec.Attention.GENERAL) {
            b.add("attn.weight", h, w);
        }
        if (spec.attention() != Seq2SeqSpec.Attention.NONE) {
            b.add(attnCombine.weightName(), h, w + h);
            b.add(attnCombine.biasName(), h);
        }
        b.add(out.weightName(), spec.targetVocab(), h);
        b.add(out.biasName(), spec.targetVocab());
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

    private boolean attention() {
        return spec.attention() != Seq2SeqSpec.Attention.NONE;
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
                        : n.startsWith("attn_combine.") ? attnCombine.in() : out.in();
                v = Init.uniform(rng, (int) e.length(), 1.0 / Math.sqrt(fanIn));
            }
            Init.set(p, e, v);
        }
        return p;
    }


    /**
     * Teacher-forced forward and backward: adds the gradient of the mean cross-entropy over all target tokens
     * (y_1 .. y_n and eos of every row) into {@code grads}. {@code dropoutSeed} seeds the dropout masks.
     */
    public StepResult lossAndGradient(FlatParams params, FlatParams grads, Seq2SeqBatch batch, long dropoutSeed) {
        if (!grads.layout().equals(layout)) {
            throw new IllegalArgumentException("gradient vector has another layout than the model");
        }
        return run(params, grads, batch, true, dropoutSeed);
    }

    /** The teacher-forced loss without gradients or dropout. */
    public StepResult loss(FlatParams params, Seq2SeqBatch batch) {
        return run(params, null, batch, false, 0);
    }

    private StepResult run(FlatParams params, FlatParams grads, Seq2SeqBatch batch, boolean training, long seed) {
        checkParams(params);
        Padded in = pad(batch);
        Encoded enc = encode(params, in.src, in.srcLen, in.s, training, seed);
        Decoder dec = new Decoder(params, enc, identity(in.b), training, seed);
        INDArray headIn = Nd4j.create(params.dataType(), in.t, in.b, spec.decoderHidden());
        Step[] steps = new Step[in.t];
        for (int t = 0; t < in.t; t++) {
            steps[t] = dec.step(Arrays.copyOfRange(in.decIn, t * in.b, (t + 1) * in.b), t);
            Tensors.step(headIn, t).assign(steps[t].head);
        }
        INDArray logits = out.forward(params.view(out.weightName()), params.view(out.biasName()), Tensors.as2d(headIn));
        LossResult lr = SoftmaxCrossEntropy.compute(logits, in.decTgt, in.valid, IGNORE, 0);
        if (grads != null && lr.count() > 0) {
            INDArray dHead = out.backward(params.view(out.weightName()), grads.view(out.weightName()),
                    grads.view(out.biasName()), Tensors.as2d(headIn), lr.gradient()).reshape(in.t, in.b,
                    spec.decoderHidden());
            backward(params, grads, enc, dec, steps, dHead, in);
        }
        return new StepResult(lr.sum(), lr.count());
    }

    private void backward(FlatParams p, FlatParams g, Encoded enc, Decoder dec, Step[] steps, INDArray dHead,
            Padded in) {
        int layers = decCells.length;
        INDArray[] dh = new INDArray[layers];
        INDArray[] dc = new INDArray[layers];
        double[] dMem = new double[enc.mem.length];
        double[] dKeys = new double[enc.keys.length];
        INDArray dFeed = null;
        for (int t = steps.length - 1; t >= 0; t--) {
            Step st = steps[t];
            INDArray dTop = Tensors.step(dHead, t).dup('c');
            if (dFeed != null) {
                dTop.addi(dFeed);
            }
            if (attention()) {
                dTop = attentionBackward(p, g, enc, dec.rowOf, st, dTop, dMem, dKeys);
            }
            INDArray dx = dTop;
            for (int k = layers - 1; k >= 0; k--) {
                INDArray[] init = new INDArray[2];
                INDArray dxk = decCells[k].backward(decoder.cellParams(p, k, 0), decoder.cellParams(g, k, 0),
                        st.windows[k], dx.reshape(1, in.b, dx.size(1)), 0, dh[k], dc[k], init);
                dh[k] = init[0];
                dc[k] = init[1];
                dx = dxk.reshape(in.b, dxk.size(2));
                if (st.dropMasks[k] != null) {
                    dx.muli(st.dropMasks[k]);
                }
            }
            int e = spec.targetEmbedding();
            tgtEmbedding.backward(g.view(tgtEmbedding.weightName()), st.tokens,
                    dx.get(NDArrayIndex.all(), NDArrayIndex.interval(0, e)).dup('c'), 0);
            dFeed = spec.inputFeeding()
                    ? dx.get(NDArrayIndex.all(), NDArrayIndex.interval(e, e + spec.decoderHidden())).dup('c') : null;
        }
        encoderBackward(p, g, enc, bridgeBackward(p, g, enc, dh, dc), memoryGradient(p, g, enc, dMem, dKeys));
    }

    // ---------------------------------------------------------------- attention

    /** Scores, weights and context of one decoder step for rows mapped to memory rows {@code rowOf}. */
    private void attend(Encoded enc, int[] rowOf, Step st) {
        int b = rowOf.length;
        int w = spec.encoderOutputWidth();
        int h = spec.decoderHidden();
        int eb = enc.b;
        double[] q = st.top.dup('c').data().asDouble();
        st.attn = new double[b * enc.s];
        double[] ctx = new double[b * w];
        for (int r = 0; r < b; r++) {
            int m = rowOf[r];
            int len = enc.srcLen[m];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                double s = 0;
                int ko = (j * eb + m) * h;
                for (int i = 0; i < h; i++) {
                    s += q[r * h + i] * enc.keys[ko + i];
                }
                st.attn[r * enc.s + j] = s;
                max = Math.max(max, s);
            }
            double z = 0;
            for (int j = 0; j < len; j++) {
                double a = Math.exp(st.attn[r * enc.s + j] - max);
                st.attn[r * enc.s + j] = a;
                z += a;
            }
            for (int j = 0; j < len; j++) {
                double a = st.attn[r * enc.s + j] /= z;
                int mo = (j * eb + m) * w;
                for (int i = 0; i < w; i++) {
                    ctx[r * w + i] += a * enc.mem[mo + i];
                }
            }
        }
        INDArray c = Nd4j.createFromArray(ctx).reshape(b, w).castTo(st.top.dataType());
        st.combIn = Nd4j.concat(1, c, st.top);
    }

    /**
     * Back through h~ = tanh(W_c [c; h] + b_c) and the attention: accumulates dM and dK (memory-major like M
     * and K) and returns the gradient with respect to the top decoder state h_t.
     */
    private INDArray attentionBackward(FlatParams p, FlatParams g, Encoded enc, int[] rowOf, Step st, INDArray dTilde,
            double[] dMem, double[] dKeys) {
        int b = rowOf.length;
        int w = spec.encoderOutputWidth();
        int h = spec.decoderHidden();
        INDArray dPre = dTilde.mul(st.head.mul(st.head).rsubi(1.0));
        INDArray dComb = attnCombine.backward(p.view(attnCombine.weightName()), g.view(attnCombine.weightName()),
                g.view(attnCombine.biasName()), st.combIn, dPre);
        double[] dc = dComb.get(NDArrayIndex.all(), NDArrayIndex.interval(0, w)).dup('c').data().asDouble();
        INDArray dTop = dComb.get(NDArrayIndex.all(), NDArrayIndex.interval(w, w + h)).dup('c');
        double[] q = st.top.dup('c').data().asDouble();
        double[] dq = new double[b * h];
        for (int r = 0; r < b; r++) {
            int m = rowOf[r];
            int len = enc.srcLen[m];
            double[] da = new double[len];
            double sum = 0;
            for (int j = 0; j < len; j++) {
                double a = st.attn[r * enc.s + j];
                int mo = (j * enc.b + m) * w;
                for (int i = 0; i < w; i++) {
                    da[j] += dc[r * w + i] * enc.mem[mo + i];
                    dMem[mo + i] += a * dc[r * w + i];
                }
                sum += a * da[j];
            }
            for (int j = 0; j < len; j++) {
                double ds = st.attn[r * enc.s + j] * (da[j] - sum);
                int ko = (j * enc.b + m) * h;
                for (int i = 0; i < h; i++) {
                    dq[r * h + i] += ds * enc.keys[ko + i];
                    dKeys[ko + i] += ds * q[r * h + i];
                }
            }
        }
        return dTop.addi(Nd4j.createFromArray(dq).reshape(b, h).castTo(dTop.dataType()));
    }

    /** dM from the attention, plus (GENERAL) dM += dK W_a and dW_a += dK^T M; as {@code [S, B, W]}. */
    private INDArray memoryGradient(FlatParams p, FlatParams g, Encoded enc, double[] dMem, double[] dKeys) {
        DataType dt = p.dataType();
        INDArray dM = Nd4j.createFromArray(dMem).castTo(dt).reshape(enc.s, enc.b, spec.encoderOutputWidth());
        if (!attention()) {
            return dM;
        }
        INDArray dK = Nd4j.createFromArray(dKeys).castTo(dt).reshape(enc.s * enc.b, spec.decoderHidden());
        if (spec.attention() == Seq2SeqSpec.Attention.DOT) {
            return dM.addi(dK.reshape(dM.shape()));
        }
        Tensors.gemm(dK, true, Tensors.as2d(enc.output), false, g.view("attn.weight"), 1.0, 1.0);
        Tensors.gemm(dK, false, p.view("attn.weight"), false, Tensors.as2d(dM), 1.0, 1.0);
        return dM;
    }

    // ---------------------------------------------------------------- encoder and bridge

    /** The encoder's pass over a padded source {@code [S*B]} and the derived memory, keys and bridge. */
    private Encoded encode(FlatParams p, int[] src, int[] srcLen, int s, boolean training, long seed) {
        DataType dt = p.dataType();
        int b = srcLen.length;
        Encoded enc = new Encoded(spec.encoderLayers(), spec.encoderDirections(), decCells.length, s, b, srcLen);
        enc.tokens = src;
        double[] m = new double[s * b];
        for (int t = 0; t < s; t++) {
            for (int r = 0; r < b; r++) {
                m[t * b + r] = t < srcLen[r] ? 1 : 0;
            }
        }
        INDArray mask = Nd4j.createFromArray(m).castTo(dt).reshape(s, b);
        INDArray in = srcEmbedding.forward(p.view(srcEmbedding.weightName()), src).reshape(s, b, spec.sourceEmbedding());
        int hid = spec.encoderHidden();
        for (int l = 0; l < encCells.length; l++) {
            if (l > 0 && training && spec.dropout() > 0) {
                enc.dropMasks[l] = dropoutMask(in, seed * 1_000_003L + l);
                in = in.mul(enc.dropMasks[l]);
            }
            for (int d = 0; d < encCells[l].length; d++) {
                INDArray c0 = spec.cell().hasCellState() ? Nd4j.zeros(dt, b, hid) : null;
                enc.windows[l][d] = encCells[l][d].forward(encoder.cellParams(p, l, d), in, Nd4j.zeros(dt, b, hid), c0,
                        mask, d == 1);
            }
            in = encCells[l].length == 1 ? enc.windows[l][0].output()
                    : Nd4j.concat(2, enc.windows[l][0].output(), enc.windows[l][1].output());
        }
        enc.output = in.dup('c');
        enc.mem = enc.output.data().asDouble();
        if (spec.attention() == Seq2SeqSpec.Attention.GENERAL) {
            INDArray keys = Nd4j.create(dt, (long) s * b, spec.decoderHidden());
            Tensors.gemm(Tensors.as2d(enc.output), false, p.view("attn.weight"), true, keys, 1.0, 0.0);
            enc.keys = keys.data().asDouble();
        } else {
            enc.keys = spec.attention() == Seq2SeqSpec.Attention.DOT ? enc.mem : new double[0];
        }
        bridgeForward(p, enc);
        return enc;
    }

    /** The encoder layer whose final state initialises decoder layer k (top layers aligned). */
    private int sourceLayer(int k) {
        return Math.max(0, Math.min(encCells.length - 1, encCells.length - decCells.length + k));
    }

    private void bridgeForward(FlatParams p, Encoded enc) {
        int h = spec.decoderHidden();
        for (int k = 0; k < decCells.length; k++) {
            RecurrentCell.Window[] ws = enc.windows[sourceLayer(k)];
            INDArray[] parts = new INDArray[stateParts * ws.length];
            for (int d = 0; d < ws.length; d++) {
                parts[d] = ws[d].finalState();
                if (stateParts == 2) {
                    parts[ws.length + d] = ws[d].finalCellState();
                }
            }
            enc.bridgeIn[k] = parts.length == 1 ? parts[0].dup('c') : Nd4j.concat(1, parts);
            INDArray y = bridge.forward(p.view(bridge.weightName()), p.view(bridge.biasName()), enc.bridgeIn[k]);
            enc.h0[k] = Transforms.tanh(y.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h)).dup('c'), false);
            enc.c0[k] = stateParts == 2 ? y.get(NDArrayIndex.all(), NDArrayIndex.interval(h, 2 * h)).dup('c') : null;
        }
    }

    /** Back through the bridge: the gradients with respect to the encoder's final states, [layer][dir][h|c]. */
    private INDArray[][][] bridgeBackward(FlatParams p, FlatParams g, Encoded enc, INDArray[] dh0, INDArray[] dc0) {
        int dirs = spec.encoderDirections();
        int he = spec.encoderHidden();
        INDArray[][][] dFinal = new INDArray[encCells.length][dirs][2];
        for (int k = 0; k < decCells.length; k++) {
            INDArray dy = dh0[k].mul(enc.h0[k].mul(enc.h0[k]).rsubi(1.0));
            if (stateParts == 2) {
                dy = Nd4j.concat(1, dy, dc0[k]);
            }
            INDArray dz = bridge.backward(p.view(bridge.weightName()), g.view(bridge.weightName()),
                    g.view(bridge.biasName()), enc.bridgeIn[k], dy);
            int e = sourceLayer(k);
            for (int part = 0; part < stateParts; part++) {
                for (int d = 0; d < dirs; d++) {
                    long from = (long) (part * dirs + d) * he;
                    INDArray slice = dz.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + he)).dup('c');
                    dFinal[e][d][part] = dFinal[e][d][part] == null ? slice : dFinal[e][d][part].addi(slice);
                }
            }
        }
        return dFinal;
    }

    private void encoderBackward(FlatParams p, FlatParams g, Encoded enc, INDArray[][][] dFinal, INDArray dMem) {
        int he = spec.encoderHidden();
        INDArray d = dMem;
        for (int l = encCells.length - 1; l >= 0; l--) {
            INDArray dIn = null;
            for (int dir = 0; dir < encCells[l].length; dir++) {
                INDArray dDir = encCells[l].length == 1 ? d : d.get(NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval((long) dir * he, (long) (dir + 1) * he)).dup('c');
                INDArray dx = encCells[l][dir].backward(encoder.cellParams(p, l, dir), encoder.cellParams(g, l, dir),
                        enc.windows[l][dir], dDir, 0, dFinal[l][dir][0], dFinal[l][dir][1], null);
                dIn = dIn == null ? dx : dIn.addi(dx);
            }
            if (enc.dropMasks[l] != null) {
                dIn.muli(enc.dropMasks[l]);
            }
            d = dIn;
        }
        srcEmbedding.backward(g.view(srcEmbedding.weightName()), enc.tokens, Tensors.as2d(d), 0);
    }

    private INDArray dropoutMask(INDArray like, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double keep = 1.0 - spec.dropout();
        double[] m = new double[(int) like.length()];
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextDouble() < keep ? 1.0 / keep : 0.0;
        }
        return Nd4j.createFromArray(m).reshape(like.shape()).castTo(like.dataType());
    }

    // ---------------------------------------------------------------- decoding

    /** Everything the encoder produced: the windows, the memory M and keys K (as doubles), the bridge. */
    static final class Encoded {
        final RecurrentCell.Window[][] windows;
        final INDArray[] dropMasks;
        final INDArray[] bridgeIn;
        final INDArray[] h0;
        final INDArray[] c0;
        final int s;
        final int b;
        final int[] srcLen;
        int[] tokens;
        INDArray output;
        double[] mem;
        double[] keys;

        Encoded(int layers, int dirs, int decLayers, int s, int b, int[] srcLen) {
            this.windows = new RecurrentCell.Window[layers][dirs];
            this.dropMasks = new INDArray[layers];
            this.bridgeIn = new INDArray[decLayers];
            this.h0 = new INDArray[decLayers];
            this.c0 = new INDArray[decLayers];
            this.s = s;
            this.b = b;
            this.srcLen = srcLen;
        }
    }

    /** One decoder step: what the backward pass needs, and {@code head} = h~_t (or h_t), [B, H]. */
    static final class Step {
        int[] tokens;
        RecurrentCell.Window[] windows;
        INDArray[] dropMasks;
        INDArray top;
        INDArray combIn;
        double[] attn;
        INDArray head;
    }

    /**
     * The decoder's recurrent state over rows that read memory rows {@code rowOf} (the identity in training;
     * hypotheses of one source in beam search): h and c per layer, and the previous attentional vector.
     */
    final class Decoder {
        final FlatParams p;
        final Encoded enc;
        int[] rowOf;
        final boolean training;
        final long seed;
        INDArray[] h;
        INDArray[] c;
        INDArray feed;

        Decoder(FlatParams p, Encoded enc, int[] rowOf, boolean training, long seed) {
            this.p = p;
            this.enc = enc;
            this.rowOf = rowOf;
            this.training = training;
            this.seed = seed;
            int layers = decCells.length;
            this.h = new INDArray[layers];
            this.c = new INDArray[layers];
            for (int k = 0; k < layers; k++) {
                h[k] = enc.h0[k].getRows(rowOf);
                c[k] = enc.c0[k] == null ? null : enc.c0[k].getRows(rowOf);
            }
            this.feed = spec.inputFeeding() ? Nd4j.zeros(p.dataType(), rowOf.length, spec.decoderHidden()) : null;
        }

        /** Runs step {@code t} on input tokens {@code [B]} and advances the state. */
        Step step(int[] tokens, int t) {
            int b = rowOf.length;
            Step st = new Step();
            st.tokens = tokens;
            st.windows = new RecurrentCell.Window[decCells.length];
            st.dropMasks = new INDArray[decCells.length];
            INDArray x = tgtEmbedding.forward(p.view(tgtEmbedding.weightName()), tokens);
            if (feed != null) {
                x = Nd4j.concat(1, x, feed);
            }
            for (int k = 0; k < decCells.length; k++) {
                if (k > 0 && training && spec.dropout() > 0) {
                    st.dropMasks[k] = dropoutMask(x, (seed * 1_000_003L + 7919L * (t + 1)) * 31 + k);
                    x = x.mul(st.dropMasks[k]);
                }
                RecurrentCell.Window w = decCells[k].forward(decoder.cellParams(p, k, 0), x.reshape(1, b, x.size(1)),
                        h[k], c[k], null, false);
                st.windows[k] = w;
                h[k] = w.finalState();
                c[k] = w.finalCellState();
                x = h[k];
            }
            st.top = x;
            if (attention()) {
                attend(enc, rowOf, st);
                st.head = Transforms.tanh(attnCombine.forward(p.view(attnCombine.weightName()),
                        p.view(attnCombine.biasName()), st.combIn), false);
            } else {
                st.head = st.top;
            }
            if (feed != null) {
                feed = st.head;
            }
            return st;
        }

        /** The logits of the next token after a step, one double[V] per row. */
        double[][] logits(Step st) {
            INDArray z = out.forward(p.view(out.weightName()), p.view(out.biasName()), st.head);
            return z.castTo(DataType.DOUBLE).toDoubleMatrix();
        }

        /** Keeps rows {@code keep} (in that order; repeats allowed), as beam search reorders hypotheses. */
        void select(int[] keep) {
            int[] r = new int[keep.length];
            for (int i = 0; i < keep.length; i++) {
                r[i] = rowOf[keep[i]];
            }
            rowOf = r;
            for (int k = 0; k < h.length; k++) {
                h[k] = h[k].getRows(keep);
                c[k] = c[k] == null ? null : c[k].getRows(keep);
            }
            feed = feed == null ? null : feed.getRows(keep);
        }
    }

    /** Encodes sources and returns a decoder positioned before {@code <bos>}, one row per source. */
    Decoder startDecoding(FlatParams params, java.util.List<int[]> sources) {
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
        return new Decoder(params, enc, identity(b), false, 0);
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
