package io.sparkrnn.engine.seq2seq;

import io.sparkrnn.engine.cell.RecurrentCell;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything the encoder side produced for one batch of sources: the encoder's windows and dropout masks, the memory
 * M {@code [S, B, W]} (also as doubles) and the attention keys K, and the bridge's initial decoder states.
 */
final class Encoded {
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
