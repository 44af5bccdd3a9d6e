package io.sparkrnn.engine.seq2seq;

import io.sparkrnn.engine.layer.Linear;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Luong global attention of a {@link Seq2SeqModel} over the encoder memory M {@code [S, B, W]} from the decoder's top
 * state h_t {@code [B, H]}: score_j = h_t . k_j with keys k_j = M_j (DOT) or W_a M_j (GENERAL), softmax over the
 * valid source steps, context c_t = sum_j a_j M_j, attentional vector h~_t = tanh(W_c [c_t; h_t] + b_c). Parameters
 * {@code attn.weight} (GENERAL only, Linear(W, H, bias=False)), {@code attn_combine.weight} and
 * {@code attn_combine.bias}; none without attention (NONE), where the decoder's output reads h_t.
 */
final class Attention {
    private final Seq2SeqSpec spec;
    private final Linear combine;

    Attention(Seq2SeqSpec spec) {
        this.spec = spec;
        int w = spec.encoderOutputWidth();
        int h = spec.decoderHidden();
        this.combine = new Linear("attn_combine", w + h, h);
    }

    /** Whether the model attends (DOT or GENERAL). */
    boolean active() {
        return spec.attention() != Seq2SeqSpec.Attention.NONE;
    }

    void addTo(ParamLayout.Builder b) {
        int w = spec.encoderOutputWidth();
        int h = spec.decoderHidden();
        if (spec.attention() == Seq2SeqSpec.Attention.GENERAL) {
            b.add("attn.weight", h, w);
        }
        if (active()) {
            b.add(combine.weightName(), h, w + h);
            b.add(combine.biasName(), h);
        }
    }

    /** Input width W + H of the combination: the fan-in of its initialisation. */
    int combineIn() {
        return combine.in();
    }

    /** The keys K of the memory in {@code enc} (as doubles, memory-major like M): W_a M, M itself, or none. */
    void keys(FlatParams p, Encoded enc) {
        if (spec.attention() == Seq2SeqSpec.Attention.GENERAL) {
            INDArray keys = Nd4j.create(p.dataType(), (long) enc.s * enc.b, spec.decoderHidden());
            Tensors.gemm(Tensors.as2d(enc.output), false, p.view("attn.weight"), true, keys, 1.0, 0.0);
            enc.keys = keys.data().asDouble();
        } else {
            enc.keys = spec.attention() == Seq2SeqSpec.Attention.DOT ? enc.mem : new double[0];
        }
    }

    /**
     * One decoder step's attention for rows mapped to memory rows {@code rowOf}: its scores, weights and context
     * into {@code st}, and the attentional vector h~_t {@code [B, H]} returned.
     */
    INDArray forward(FlatParams p, Encoded enc, int[] rowOf, Decoder.Step st) {
        attend(enc, rowOf, st);
        return Transforms.tanh(combine.forward(p.view(combine.weightName()), p.view(combine.biasName()), st.combIn),
                false);
    }

    /** Scores, weights and context of one decoder step for rows mapped to memory rows {@code rowOf}. */
    private void attend(Encoded enc, int[] rowOf, Decoder.Step st) {
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
    INDArray backward(FlatParams p, FlatParams g, Encoded enc, int[] rowOf, Decoder.Step st, INDArray dTilde,
            double[] dMem, double[] dKeys) {
        int b = rowOf.length;
        int w = spec.encoderOutputWidth();
        int h = spec.decoderHidden();
        INDArray dPre = dTilde.mul(st.head.mul(st.head).rsubi(1.0));
        INDArray dComb = combine.backward(p.view(combine.weightName()), g.view(combine.weightName()),
                g.view(combine.biasName()), st.combIn, dPre);
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
    INDArray memoryGradient(FlatParams p, FlatParams g, Encoded enc, double[] dMem, double[] dKeys) {
        DataType dt = p.dataType();
        INDArray dM = Nd4j.createFromArray(dMem).castTo(dt).reshape(enc.s, enc.b, spec.encoderOutputWidth());
        if (!active()) {
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
}
