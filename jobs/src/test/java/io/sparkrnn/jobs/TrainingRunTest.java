package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.model.SequenceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

class TrainingRunTest {
    /** 6 ms: far less than any Spark round takes, so a run with this budget always stops after its first round. */
    private static final String TINY_BUDGET = "train.max-minutes=0.0001";

    @TempDir
    Path tmp;

    private static JsonNode eval(Path dir) throws Exception {
        return new ObjectMapper().readTree(dir.resolve("eval.json").toFile());
    }

    /**
     * A run out of time stops after the round that used up {@code train.max-minutes}, with a complete output
     * (validated, checkpointed, a loadable model, eval.json, the report); running the command again continues,
     * and the run finished in three pieces ends with the uninterrupted run's weights, bit for bit.
     */
    @Test
    void timeBudgetStopsAfterTheRoundThatReachesItAndTheRunResumes() throws Exception {
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("parts");
        Commands.Run uninterrupted = MainTest.tiny(whole, 3);
        assertEquals(0, uninterrupted.code(), uninterrupted.err());
        assertTrue(!uninterrupted.out().contains("reached after round"), uninterrupted.out());
        assertEquals(false, eval(whole).get("stopped_by_max_minutes").asBoolean(true));

        Commands.Run first = MainTest.tiny(parts, 3, "--set", TINY_BUDGET);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("train.max-minutes = 0.0001 reached after round 1 of 3"), first.out());
        assertTrue(!first.out().contains("round 2/3"), first.out());
        List<String> metrics = Files.readAllLines(parts.resolve("metrics.jsonl"));
        assertEquals(1, metrics.size());
        // the last round is validated although eval.every = 100
        assertTrue(metrics.get(0).contains("\"valid_bits_per_char\":"), metrics.get(0));
        JsonNode e = eval(parts);
        assertEquals(1, e.get("rounds").asLong());
        assertTrue(e.get("stopped_by_max_minutes").asBoolean(false), e.toString());
        double bpc = e.get("valid_bits_per_char").asDouble();
        assertTrue(bpc > 1 && bpc < Math.log(82) / Math.log(2) + 0.5, "bits per char " + bpc);
        assertEquals(16, ModelFiles.load(parts.resolve("model"), DataType.FLOAT).model().as(SequenceModel.class)
                .spec().hiddenSize());
        assertTrue(Files.isDirectory(parts.resolve("checkpoints/ckpt-000001")));
        assertTrue(Files.size(parts.resolve("report.html")) > 10_000);

        Commands.Run second = MainTest.tiny(parts, 3, "--set", TINY_BUDGET);
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("resuming from ckpt-000001 (round 1 of 3)"), second.out());
        assertTrue(second.out().contains("reached after round 2 of 3"), second.out());
        assertEquals(2, eval(parts).get("rounds").asLong());

        Commands.Run third = MainTest.tiny(parts, 3);
        assertEquals(0, third.code(), third.err());
        assertTrue(third.out().contains("resuming from ckpt-000002 (round 2 of 3)"), third.out());
        assertEquals(3, eval(parts).get("rounds").asLong());
        assertEquals(false, eval(parts).get("stopped_by_max_minutes").asBoolean(true));
        assertEquals(3, Files.readAllLines(parts.resolve("metrics.jsonl")).size());
        assertArrayEquals(Files.readAllBytes(whole.resolve("model/weights.safetensors")),
                Files.readAllBytes(parts.resolve("model/weights.safetensors")), "resumed weights differ");
    }

    /**
     * {@code train.inner-state = keep}: a run stopped after round 1 and resumed from its checkpoint (a new driver
     * and new replicas, each partition's Adam state from the checkpoint) ends with the uninterrupted run's weights.
     */
    @Test
    void keptInnerStateResumesToTheUninterruptedWeights() throws Exception {
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("parts");
        String keep = "train.inner-state=keep";
        Commands.Run uninterrupted = MainTest.tiny(whole, 2, "--set", keep);
        assertEquals(0, uninterrupted.code(), uninterrupted.err());
        Commands.Run first = MainTest.tiny(parts, 2, "--set", keep, "--set", TINY_BUDGET);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("reached after round 1 of 2"), first.out());
        String state = Files.readString(parts.resolve("checkpoints/ckpt-000001/state.json"));
        assertTrue(state.contains("\"names\" : [ \"exp_avg\", \"exp_avg_sq\" ]"), state);
        Commands.Run second = MainTest.tiny(parts, 2, "--set", keep);
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("resuming from ckpt-000001 (round 1 of 2)"), second.out());
        assertArrayEquals(Files.readAllBytes(whole.resolve("model/weights.safetensors")),
                Files.readAllBytes(parts.resolve("model/weights.safetensors")), "resumed weights differ");
    }
}
