package io.sparkrnn.driver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.round.KeptState;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.param.FlatParams;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** A model folder's training state: the checkpoint's encoding of the round loop's state, read back exactly. */
class ModelTrainingStateTest {
    private static FlatParams params() {
        return new SequenceModel(CheckpointTesting.SPEC).initParams(3, DataType.FLOAT);
    }

    @Test
    void averagedStateRoundTripsBitForBit() {
        FlatParams p = params();
        RoundTrainer.State s = CheckpointTesting.synthetic(12);
        s = new RoundTrainer.State(s.round(), p.flat().toFloatVector(), s.outerMomentum(), s.lrScale(),
                s.rejectionsInRow(), s.rejections(), s.states(), s.innerState(), s.innerSteps());
        Map<String, byte[]> files = ModelTrainingState.encode(s);
        assertEquals(java.util.List.of(ModelTrainingState.JSON, ModelTrainingState.TENSORS),
                java.util.List.copyOf(files.keySet()));
        String json = new String(files.get(ModelTrainingState.JSON), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"format\" : \"spark-rnn-training-state\"") && json.contains("\"round\" : 12"), json);
        RoundTrainer.State back = ModelTrainingState.decode(files.get(ModelTrainingState.JSON),
                files.get(ModelTrainingState.TENSORS), p, "model");
        assertEquals(12, back.round());
        assertEquals(s.lrScale(), back.lrScale());
        assertEquals(s.rejections(), back.rejections());
        assertEquals(s.innerSteps(), back.innerSteps());
        assertArrayEquals(s.params(), back.params());
        assertArrayEquals(s.outerMomentum(), back.outerMomentum());
        assertArrayEquals(s.innerState().get("exp_avg_sq"), back.innerState().get("exp_avg_sq"));
        assertEquals(s.states().keySet(), back.states().keySet());
        assertArrayEquals(s.states().get(11), back.states().get(11));
        assertNull(back.kept());
    }

    @Test
    void keptStateRoundTripsAndAnotherModelIsRefused() {
        FlatParams p = params();
        int n = (int) p.layout().size();
        float[] v = new float[n];
        v[n - 1] = 0.5f;
        Map<Integer, KeptState> kept = new TreeMap<>();
        kept.put(1, new KeptState(new LinkedHashMap<>(Map.of("momentum_buffer", v)), 40));
        RoundTrainer.State s = new RoundTrainer.State(4, p.flat().toFloatVector(), null, 1.0, 0, 0, Map.of(), null, 0,
                kept);
        Map<String, byte[]> files = ModelTrainingState.encode(s);
        RoundTrainer.State back = ModelTrainingState.decode(files.get(ModelTrainingState.JSON),
                files.get(ModelTrainingState.TENSORS), p, "model");
        assertEquals(40, back.kept().get(1).steps());
        assertArrayEquals(v, back.kept().get(1).vectors().get("momentum_buffer"));
        assertNull(back.outerMomentum());

        byte[] json = new String(files.get(ModelTrainingState.JSON), StandardCharsets.UTF_8)
                .replace("\"parameters\" : " + n, "\"parameters\" : " + (n + 1)).getBytes(StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelTrainingState.decode(
                json, files.get(ModelTrainingState.TENSORS), p, "model"));
        assertTrue(e.getMessage().contains("model/training-state.json") && e.getMessage().contains("parameters"),
                e.getMessage());
        byte[] checkpointJson = new String(files.get(ModelTrainingState.JSON), StandardCharsets.UTF_8)
                .replace("spark-rnn-training-state", "spark-rnn-checkpoint").getBytes(StandardCharsets.UTF_8);
        e = assertThrows(IllegalArgumentException.class, () -> ModelTrainingState.decode(checkpointJson,
                files.get(ModelTrainingState.TENSORS), p, "model"));
        assertTrue(e.getMessage().contains("expected \"format\": \"spark-rnn-training-state\""), e.getMessage());
    }
}
