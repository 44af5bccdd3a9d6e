package io.sparkrnn.engine.seq2seq;

import io.sparkrnn.engine.cell.RecurrentCell;
import io.sparkrnn.engine.layer.Embedding;
import io.sparkrnn.engine.layer.Linear;
import io.sparkrnn.engine.layer.RecurrentStack;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The decoder of a {@link Seq2SeqModel}, run one step at a time (windows of one step, so that input feeding can read
 * h~_{t-1}): input x_t = [emb(u_t) (; h~_{t-1})] {@code [B, E_t (+ H)]} through L_d stacked layers (inverted dropout
 * while training: {@code ioDropout} on x_t, {@code dropout} between layers) to the top state h_t, the
 * {@link Attention} on it (h~_t, or h_t without attention), and the output layer logits = out(h~_t)
 * {@code [B, V_t]}. Parameters {@code tgt_embedding.weight}, {@code decoder.*} (nn.LSTM/GRU/RNN names),
 * {@code out.weight} (absent with tied embeddings: the output layer then reads {@code tgt_embedding.weight}, and
 * its gradient is the sum of both uses) and {@code out.bias}; {@link State} is the running state of one batch of
 * rows, {@link Step} what one step keeps for the backward pass.
 */
final class Decoder {
    private final Seq2SeqSpec spec;
    private final Embedding embedding;
    private final RecurrentStack stack;
    private final RecurrentCell[] cells;
    private final Attention attention;
    private final Linear out;

    Decoder(Seq2SeqSpec spec, Attention attention) {
        this.spec = spec;
        this.attention = attention;
        int h = spec.decoderHidden();
        this.embedding = new Embedding("tgt_embedding", spec.targetVocab(), spec.targetEmbedding(), spec.paddingId());
        this.stack = new RecurrentStack("decoder", spec.cell(), spec.decoderInputSize(), h, spec.decoderLayers(),
                false, spec.dropout());
        this.cells = new RecurrentCell[spec.decoderLayers()];
        for (int k = 0; k < cells.length; k++) {
            cells[k] = RecurrentCell.of(spec.cell(), k == 0 ? spec.decoderInputSize() : h, h).withFreshBuffers();
        }
        this.out = new Linear("out", h, spec.targetVocab());
    }

    /** Appends {@code tgt_embedding.weight} and the stack's tensors (the output layer's come last, after attention). */
    void addTo(ParamLayout.Builder b) {
        b.add(embedding.weightName(), spec.targetVocab(), spec.targetEmbedding());
        stack.addTo(b);
    }

    /** Appends {@code out.weight} (unless tied to the target embedding) and {@code out.bias}. */
    void addOutputTo(ParamLayout.Builder b) {
        if (!spec.tieEmbeddings()) {
            b.add(out.weightName(), spec.targetVocab(), spec.decoderHidden());
        }
        b.add(out.biasName(), spec.targetVocab());
    }

    /** The name of the output layer's weight: {@code out.weight}, or the target embedding's when tied. */
    String outputWeightName() {
        return spec.tieEmbeddings() ? embedding.weightName() : out.weightName();
    }

    /** Input width H of the output layer: the fan-in of its initialisation. */
    int outputIn() {
        return out.in();
    }

    /** The state before {@code <bos>} over rows that read memory rows {@code rowOf} of {@code enc}. */
    State start(FlatParams p, Encoded enc, int[] rowOf, boolean training, long seed) {
        return new State(p, enc, rowOf, training, seed);
    }

    /** logits = out(head) {@code [rows, V_t]} for heads {@code [rows, H]}. */
    INDArray logits(FlatParams p, INDArray head) {
        return out.forward(p.view(outputWeightName()), p.view(out.biasName()), head);
    }

    /** Back through the output layer: accumulates its gradients and returns d head {@code [rows, H]}. */
    INDArray logitsBackward(FlatParams p, FlatParams g, INDArray head, INDArray dLogits) {
        return out.backward(p.view(outputWeightName()), g.view(outputWeightName()), g.view(out.biasName()), head,
                dLogits);
    }

    /**
     * Back through one step's layers (top to bottom) and its target embedding, from {@code dTop} (d h_t, the
     * attention's part included). {@code dh} and {@code dc} carry the gradients of each layer's state into the
     * previous step (in: from step t+1, out: into step t-1); returns d h~_{t-1} with input feeding, else null.
     */
    INDArray backward(FlatParams p, FlatParams g, Step st, INDArray dTop, INDArray[] dh, INDArray[] dc) {
        int b = st.tokens.length;
        INDArray dx = dTop;
        for (int k = cells.length - 1; k >= 0; k--) {
            INDArray[] init = new INDArray[2];
            INDArray dxk = cells[k].backward(stack.cellParams(p, k, 0), stack.cellParams(g, k, 0), st.windows[k],
                    dx.reshape(1, b, dx.size(1)), 0, dh[k], dc[k], init);
            dh[k] = init[0];
            dc[k] = init[1];
            dx = dxk.reshape(b, dxk.size(2));
            if (st.dropMasks[k] != null) {
                dx.muli(st.dropMasks[k]);
            }
        }
        int e = spec.targetEmbedding();
        embedding.backward(g.view(embedding.weightName()), st.tokens,
                dx.get(NDArrayIndex.all(), NDArrayIndex.interval(0, e)).dup('c'), 0);
        return spec.inputFeeding()
                ? dx.get(NDArrayIndex.all(), NDArrayIndex.interval(e, e + spec.decoderHidden())).dup('c') : null;
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
    final class State implements Seq2SeqDecoding.Steps {
        final FlatParams p;
        final Encoded enc;
        int[] rowOf;
        final boolean training;
        final long seed;
        INDArray[] h;
        INDArray[] c;
        INDArray feed;

        private State(FlatParams p, Encoded enc, int[] rowOf, boolean training, long seed) {
            this.p = p;
            this.enc = enc;
            this.rowOf = rowOf;
            this.training = training;
            this.seed = seed;
            int layers = cells.length;
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
            st.windows = new RecurrentCell.Window[cells.length];
            st.dropMasks = new INDArray[cells.length];
            INDArray x = embedding.forward(p.view(embedding.weightName()), tokens);
            if (feed != null) {
                x = Nd4j.concat(1, x, feed);
            }
            for (int k = 0; k < cells.length; k++) {
                double rate = k == 0 ? spec.ioDropout() : spec.dropout();
                if (training && rate > 0) {
                    st.dropMasks[k] = DropoutMask.of(x, (seed * 1_000_003L + 7919L * (t + 1)) * 31 + k, rate);
                    x = x.mul(st.dropMasks[k]);
                }
                RecurrentCell.Window w = cells[k].forward(stack.cellParams(p, k, 0), x.reshape(1, b, x.size(1)),
                        h[k], c[k], null, false);
                st.windows[k] = w;
                h[k] = w.finalState();
                c[k] = w.finalCellState();
                x = h[k];
            }
            st.top = x;
            if (attention.active()) {
                st.head = attention.forward(p, enc, rowOf, st);
            } else {
                st.head = st.top;
            }
            if (feed != null) {
                feed = st.head;
            }
            return st;
        }

        @Override
        public double[][] next(int[] tokens, int t) {
            return logits(step(tokens, t));
        }

        /** The logits of the next token after a step, one double[V] per row. */
        double[][] logits(Step st) {
            return Decoder.this.logits(p, st.head).castTo(DataType.DOUBLE).toDoubleMatrix();
        }

        /** Keeps rows {@code keep} (in that order; repeats allowed), as beam search reorders hypotheses. */
        @Override
        public void select(int[] keep) {
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
}
