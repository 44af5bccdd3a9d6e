package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.StreamLoss;
import io.sparkrnn.engine.train.TokenStreamBatcher;
import java.util.Arrays;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class StreamEvaluatorTest {
    private static final SparkBenchSettings S = new SparkBenchSettings(SparkBenchTest.TEXT, 0.1, 8, 16, 4, 10, 3e-3,
            1.0, 2, 2, 2, "average", "float32", "auto", "plain", 1.0, 0.0, 1, 16, 1234);

    /** Our model through the shared evaluator gives the engine's own stream loss (in bits). */
    @Test
    void oursThroughTheEvaluatorEqualsTheEnginesStreamLoss() {
        CharLmData d = CharLmData.read(S);
        SequenceModel model = new SequenceModel(SequenceSpec.languageModel(d.vocabulary(), 8, CellType.LSTM, 16, 1, 0));
        FlatParams params = model.initParams(7, DataType.FLOAT);
        double viaEvaluator = StreamEvaluator.bitsPerChar(OursSparkRun.predictor(model, params, 16), d.valid(), 16,
                10, d.vocabulary());
        double engine = StreamLoss.bitsPerToken(model, params, d.valid(), 16, 10);
        assertEquals(engine, viaEvaluator, 1e-5);
    }

    /**
     * DL4J through the evaluator: windows carried by rnnTimeStep give the same bits as one output() pass over
     * the whole lanes at once (state carried inside DL4J), computed here independently.
     */
    @Test
    void dl4jThroughTheEvaluatorEqualsOneFullLengthPass() {
        CharLmData d = CharLmData.read(S);
        int[] valid = Arrays.copyOf(d.valid(), 4 * 30 + 1);
        MultiLayerNetwork net = new MultiLayerNetwork(Dl4jStep.configuration(d.vocabulary(), 8, "lstm", 16, 3e-3, 1,
                10, 3));
        net.init();
        double viaEvaluator = StreamEvaluator.bitsPerChar(Dl4jSparkRun.predictor(net, 4), valid, 4, 10,
                d.vocabulary());
        // The same 4 lanes of 30 steps as one DataSet: features [4, 1, 30], one output pass from a zero state.
        SequenceBatch all = new TokenStreamBatcher(valid, 4, 30).batch(0);
        DataSet ds = Dl4jSparkRun.toDataSet(all, d.vocabulary());
        net.rnnClearPreviousState();
        INDArray p = net.output(ds.getFeatures());
        double sum = 0;
        for (int lane = 0; lane < 4; lane++) {
            for (int t = 0; t < 30; t++) {
                sum -= Math.log(p.getDouble(lane, all.targets()[t * 4 + lane], t));
            }
        }
        assertEquals(sum / 120 / Math.log(2), viaEvaluator, 1e-4);
    }

    /** Our [T, B] batch as DL4J's features [B, 1, T] and one-hot labels [B, V, T]. */
    @Test
    void batchesBecomeDl4jDataSetsLaneByLane() {
        int[] stream = new int[41];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = i % 7;
        }
        SequenceBatch b = new TokenStreamBatcher(stream, 2, 5).batch(1);
        DataSet ds = Dl4jSparkRun.toDataSet(b, 7);
        assertEquals(Arrays.toString(new long[] {2, 1, 5}), Arrays.toString(ds.getFeatures().shape()));
        assertEquals(Arrays.toString(new long[] {2, 7, 5}), Arrays.toString(ds.getLabels().shape()));
        // Lane 1 starts at 20; batch 1 covers its steps 5..9: tokens 25..29, targets 26..30 (mod 7).
        for (int t = 0; t < 5; t++) {
            assertEquals((20 + 5 + t) % 7, ds.getFeatures().getInt(1, 0, t));
            int target = (20 + 5 + t + 1) % 7;
            for (int c = 0; c < 7; c++) {
                assertEquals(c == target ? 1.0 : 0.0, ds.getLabels().getDouble(1, c, t));
            }
        }
        assertEquals(ds.getLabels().sumNumber().doubleValue(), 10.0);
    }
}
