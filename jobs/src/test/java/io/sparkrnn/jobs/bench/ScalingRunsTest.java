package io.sparkrnn.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ScalingRunsTest {
    private static JsonNode rounds(String json) throws Exception {
        return new ObjectMapper().readTree(json);
    }

    @Test
    void tokensToReachInterpolatesBetweenEvaluatedRounds() throws Exception {
        JsonNode r = rounds("[{\"round\":1,\"tokens_cumulative\":100,\"valid_bpc\":4.0},"
                + "{\"round\":2,\"tokens_cumulative\":200,\"valid_bpc\":null},"
                + "{\"round\":3,\"tokens_cumulative\":300,\"valid_bpc\":3.0},"
                + "{\"round\":4,\"tokens_cumulative\":400,\"valid_bpc\":2.0}]");
        // 2.5 lies halfway between 3.0 (300 tokens) and 2.0 (400 tokens).
        assertEquals(350, ScalingRuns.tokensToReach(r, "valid_bpc", 2.5), 1e-9);
        // between round 1 (4.0) and round 3 (3.0): 3.5 at 200 tokens; round 2 has no validation.
        assertEquals(200, ScalingRuns.tokensToReach(r, "valid_bpc", 3.5), 1e-9);
        assertEquals(100, ScalingRuns.tokensToReach(r, "valid_bpc", 5.0), 1e-9);
        assertTrue(Double.isNaN(ScalingRuns.tokensToReach(r, "valid_bpc", 1.0)));
        assertEquals(3.5, ScalingRuns.roundsToReach(r, "valid_bpc", 2.5), 1e-9);
    }
}
