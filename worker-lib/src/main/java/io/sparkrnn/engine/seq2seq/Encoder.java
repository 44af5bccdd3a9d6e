package io.sparkrnn.engine.seq2seq;

import io.sparkrnn.engine.cell.RecurrentCell;
import io.sparkrnn.engine.layer.Embedding;
import io.sparkrnn.engine.layer.RecurrentStack;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The encoder of a {@link Seq2SeqModel}: source embedding and an L_e-layer, optionally bidirectional recurrent stack
 * over the masked source, with inverted dropout while training on the embedded source ({@code ioDropout}) and
 * between layers ({@code dropout}). Memory M = the top layer's output
 * {@code [S, B, W]}, W = D * H_e. Parameters {@code src_embedding.weight} and {@code encoder.*} (nn.LSTM/GRU/RNN
 * names).
 */
final class Encoder {
    private final Seq2SeqSpec spec;
    private final Embedding embedding;
    private final RecurrentStack stack;
    private final RecurrentCell[][] cells;

    Encoder(Seq2SeqSpec spec) {
        this.spec = spec;
        int dirs = spec.encoderDirections();
        int w = spec.encoderOutputWidth();
        this.embedding = new Embedding("src_embedding", spec.sourceVocab(), spec.sourceEmbedding(), spec.paddingId());
        this.stack = new RecurrentStack("encoder", spec.cell(), spec.sourceEmbedding(), spec.encoderHidden(),
                spec.encoderLayers(), spec.bidirectional(), spec.dropout());
        this.cells = new RecurrentCell[spec.encoderLayers()][dirs];
        for (int l = 0; l < spec.encoderLayers(); l++) {
            for (int d = 0; d < dirs; d++) {
                cells[l][d] = RecurrentCell.of(spec.cell(), l == 0 ? spec.sourceEmbedding() : w, spec.encoderHidden())
                        .withFreshBuffers();
            }
        }
    }

    /** Appends {@code src_embedding.weight} and the stack's tensors, in PyTorch's order. */
    void addTo(ParamLayout.Builder b) {
        b.add(embedding.weightName(), spec.sourceVocab(), spec.sourceEmbedding());
        stack.addTo(b);
    }

    /**
     * The pass over a padded source {@code [S*B]} (time-major, lengths {@code srcLen}): the windows of every layer
     * and direction and the memory M; the caller adds the attention keys and the bridge.
     */
    Encoded forward(FlatParams p, int[] src, int[] srcLen, int s, boolean training, long seed) {
        DataType dt = p.dataType();
        int b = srcLen.length;
        Encoded enc = new Encoded(spec.encoderLayers(), spec.encoderDirections(), spec.decoderLayers(), s, b, srcLen);
        enc.tokens = src;
        double[] m = new double[s * b];
        for (int t = 0; t < s; t++) {
            for (int r = 0; r < b; r++) {
                m[t * b + r] = t < srcLen[r] ? 1 : 0;
            }
        }
        INDArray mask = Nd4j.createFromArray(m).castTo(dt).reshape(s, b);
        INDArray in = embedding.forward(p.view(embedding.weightName()), src).reshape(s, b, spec.sourceEmbedding());
        int hid = spec.encoderHidden();
        for (int l = 0; l < cells.length; l++) {
            double rate = l == 0 ? spec.ioDropout() : spec.dropout();
            if (training && rate > 0) {
                enc.dropMasks[l] = DropoutMask.of(in, seed * 1_000_003L + l, rate);
                in = in.mul(enc.dropMasks[l]);
            }
            for (int d = 0; d < cells[l].length; d++) {
                INDArray c0 = spec.cell().hasCellState() ? Nd4j.zeros(dt, b, hid) : null;
                enc.windows[l][d] = cells[l][d].forward(stack.cellParams(p, l, d), in, Nd4j.zeros(dt, b, hid), c0,
                        mask, d == 1);
            }
            in = cells[l].length == 1 ? enc.windows[l][0].output()
                    : Nd4j.concat(2, enc.windows[l][0].output(), enc.windows[l][1].output());
        }
        enc.output = in.dup('c');
        enc.mem = enc.output.data().asDouble();
        return enc;
    }

    /**
     * Back through the stack and the source embedding from dM (the memory's gradient) and the gradients of the
     * final states {@code dFinal[layer][dir][h|c]} (from the bridge).
     */
    void backward(FlatParams p, FlatParams g, Encoded enc, INDArray[][][] dFinal, INDArray dMem) {
        int he = spec.encoderHidden();
        INDArray d = dMem;
        for (int l = cells.length - 1; l >= 0; l--) {
            INDArray dIn = null;
            for (int dir = 0; dir < cells[l].length; dir++) {
                INDArray dDir = cells[l].length == 1 ? d : d.get(NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval((long) dir * he, (long) (dir + 1) * he)).dup('c');
                INDArray dx = cells[l][dir].backward(stack.cellParams(p, l, dir), stack.cellParams(g, l, dir),
                        enc.windows[l][dir], dDir, 0, dFinal[l][dir][0], dFinal[l][dir][1], null);
                dIn = dIn == null ? dx : dIn.addi(dx);
            }
            if (enc.dropMasks[l] != null) {
                dIn.muli(enc.dropMasks[l]);
            }
            d = dIn;
        }
        embedding.backward(g.view(embedding.weightName()), enc.tokens, Tensors.as2d(d), 0);
    }
}
