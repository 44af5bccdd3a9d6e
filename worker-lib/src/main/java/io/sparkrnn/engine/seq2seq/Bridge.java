package io.sparkrnn.engine.seq2seq;

import io.sparkrnn.engine.cell.RecurrentCell;
import io.sparkrnn.engine.layer.Linear;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The bridge of a {@link Seq2SeqModel} from the encoder's final states to the decoder's initial ones. Decoder layer k
 * reads encoder layer e(k) = clamp(L_e - L_d + k, 0, L_e - 1) (top layers aligned): z = [h_fwd; h_rev (; c_fwd;
 * c_rev)] {@code [B, R*W]}, y = z W_b^T + b_b {@code [B, R*H]}, h0 = tanh(y[:H]), c0 = y[H:]; one bridge shared by
 * all layers (R = 2 for the LSTM, else 1). Parameters {@code bridge.weight}, {@code bridge.bias}.
 */
final class Bridge {
    private final Seq2SeqSpec spec;
    private final int stateParts;
    private final Linear linear;

    Bridge(Seq2SeqSpec spec) {
        this.spec = spec;
        this.stateParts = spec.cell().hasCellState() ? 2 : 1;
        this.linear = new Linear("bridge", stateParts * spec.encoderOutputWidth(), stateParts * spec.decoderHidden());
    }

    void addTo(ParamLayout.Builder b) {
        b.add(linear.weightName(), linear.out(), linear.in());
        b.add(linear.biasName(), linear.out());
    }

    /** Input width R*W: the fan-in of its initialisation. */
    int in() {
        return linear.in();
    }

    /** The encoder layer whose final state initialises decoder layer k (top layers aligned). */
    private int sourceLayer(int k) {
        return Math.max(0, Math.min(spec.encoderLayers() - 1, spec.encoderLayers() - spec.decoderLayers() + k));
    }

    /** Fills {@code enc}'s bridge inputs z and the decoder's initial states h0, c0 per decoder layer. */
    void forward(FlatParams p, Encoded enc) {
        int h = spec.decoderHidden();
        for (int k = 0; k < spec.decoderLayers(); k++) {
            RecurrentCell.Window[] ws = enc.windows[sourceLayer(k)];
            INDArray[] parts = new INDArray[stateParts * ws.length];
            for (int d = 0; d < ws.length; d++) {
                parts[d] = ws[d].finalState();
                if (stateParts == 2) {
                    parts[ws.length + d] = ws[d].finalCellState();
                }
            }
            enc.bridgeIn[k] = parts.length == 1 ? parts[0].dup('c') : Nd4j.concat(1, parts);
            INDArray y = linear.forward(p.view(linear.weightName()), p.view(linear.biasName()), enc.bridgeIn[k]);
            enc.h0[k] = Transforms.tanh(y.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h)).dup('c'), false);
            enc.c0[k] = stateParts == 2 ? y.get(NDArrayIndex.all(), NDArrayIndex.interval(h, 2 * h)).dup('c') : null;
        }
    }

    /** Back through the bridge: the gradients with respect to the encoder's final states, [layer][dir][h|c]. */
    INDArray[][][] backward(FlatParams p, FlatParams g, Encoded enc, INDArray[] dh0, INDArray[] dc0) {
        int dirs = spec.encoderDirections();
        int he = spec.encoderHidden();
        INDArray[][][] dFinal = new INDArray[spec.encoderLayers()][dirs][2];
        for (int k = 0; k < spec.decoderLayers(); k++) {
            INDArray dy = dh0[k].mul(enc.h0[k].mul(enc.h0[k]).rsubi(1.0));
            if (stateParts == 2) {
                dy = Nd4j.concat(1, dy, dc0[k]);
            }
            INDArray dz = linear.backward(p.view(linear.weightName()), g.view(linear.weightName()),
                    g.view(linear.biasName()), enc.bridgeIn[k], dy);
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
}
