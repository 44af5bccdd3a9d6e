package io.sparkrnn.bench;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J 1.0.0-M2.1's MultiLayerNetwork on the same step: EmbeddingSequenceLayer (V -> E), LSTM or SimpleRnn
 * (E -> H), RnnOutputLayer (softmax, multi-class cross-entropy), truncated BPTT with forward and backward
 * length k, Adam. DL4J has no global-norm clipping; the closest, {@code ClipL2PerLayer} at the same threshold,
 * clips each layer's gradient separately. DL4J has no GRU layer.
 */
final class Dl4jStep implements TrainingStep {
    private final MultiLayerNetwork net;
    private final DataSet[] data;
    private int next;

    static boolean supports(String cell) {
        return !cell.equals("gru");
    }

    Dl4jStep(BenchSettings s, String cell, int hidden) {
        if (!supports(cell)) {
            throw new IllegalArgumentException("DL4J has no " + cell + " layer");
        }
        net = new MultiLayerNetwork(configuration(s.vocab(), s.embedding(), cell, hidden, s.lr(), s.clip(), s.k(),
                s.seed()));
        net.init();
        data = batches(s, 8);
    }

    /**
     * The network: EmbeddingSequenceLayer (V -> E), LSTM or SimpleRnn (E -> H, tanh), RnnOutputLayer (H -> V,
     * softmax, multi-class cross-entropy), Adam, ClipL2PerLayer at {@code clip}, truncated BPTT k1 = k2 = k,
     * Xavier initialisation, float32, NCW (features {@code [B, 1, T]} token ids, labels {@code [B, V, T]}).
     */
    static MultiLayerConfiguration configuration(int vocab, int embedding, String cell, int hidden, double lr,
            double clip, int k, long seed) {
        Layer recurrent = cell.equals("lstm")
                ? new LSTM.Builder().dataFormat(RNNFormat.NCW).nIn(embedding).nOut(hidden)
                        .activation(Activation.TANH).build()
                : new SimpleRnn.Builder().dataFormat(RNNFormat.NCW).nIn(embedding)
                        .nOut(hidden).activation(Activation.TANH).build();
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(lr))
                .weightInit(WeightInit.XAVIER)
                .gradientNormalization(GradientNormalization.ClipL2PerLayer)
                .gradientNormalizationThreshold(clip)
                .list()
                .layer(new EmbeddingSequenceLayer.Builder().outputDataFormat(RNNFormat.NCW)
                        .nIn(vocab).nOut(embedding).build())
                .layer(recurrent)
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .dataFormat(RNNFormat.NCW).nIn(hidden).nOut(vocab).build())
                .backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(k)
                .tBPTTBackwardLength(k)
                .build();
    }

    /**
     * Batches cut from the same kind of random stream as ours: features {@code [B, 1, T]} token ids (the
     * rank-3 input DL4J's truncated BPTT needs), labels one-hot {@code [B, V, T]} of the next token.
     */
    private static DataSet[] batches(BenchSettings s, int count) {
        int[] stream = RandomTokens.stream(s, count);
        int b = s.batch();
        int t = s.seq();
        DataSet[] out = new DataSet[count];
        for (int i = 0; i < count; i++) {
            float[] ids = new float[b * t];
            INDArray labels = Nd4j.zeros(DataType.FLOAT, b, s.vocab(), t);
            for (int lane = 0; lane < b; lane++) {
                int base = (i * b + lane) * t;
                for (int step = 0; step < t; step++) {
                    ids[lane * t + step] = stream[base + step];
                    labels.putScalar(new long[] {lane, stream[base + step + 1], step}, 1f);
                }
            }
            out[i] = new DataSet(Nd4j.create(ids, new long[] {b, 1, t}, DataType.FLOAT), labels);
        }
        return out;
    }

    @Override
    public void trainOneBatch() {
        net.fit(data[next++ % data.length]);
    }
}
