package io.sparkrnn.jobs.registry;

import static io.sparkrnn.jobs.registry.RegistryTesting.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The gate's verdict with a tolerance, both ways of "better", and the record it leaves. */
class GateTest {
    private static Gate gate(String metric, boolean lower, double candidate, double current, double tolerance) {
        return new Gate(metric, lower, "held-out.txt", json("{\"" + metric + "\": " + candidate + "}"),
                json("{\"" + metric + "\": " + current + "}"), tolerance);
    }

    @Test
    void aCandidateWorseByAtMostTheTolerancePasses() {
        assertTrue(gate("bits_per_char", true, 2.50, 2.50, 0).passes());
        assertFalse(gate("bits_per_char", true, 2.51, 2.50, 0).passes());
        assertTrue(gate("bits_per_char", true, 2.51, 2.50, 0.02).passes());
        assertFalse(gate("bits_per_char", true, 2.53, 2.50, 0.02).passes());
        assertTrue(gate("accuracy", false, 0.91, 0.90, 0).passes());
        assertFalse(gate("accuracy", false, 0.89, 0.90, 0).passes());
        assertTrue(gate("accuracy", false, 0.895, 0.90, 0.01).passes());
        assertFalse(gate("accuracy", false, 0.88, 0.90, 0.01).passes());
    }

    @Test
    void theRecordKeepsTheToleranceAndANegativeOneIsRefused() {
        JsonNode record = gate("mae", true, 3.0, 2.9, 0.25).toJson(1);
        assertEquals(0.25, record.get("tolerance").asDouble());
        assertTrue(record.get("passed").asBoolean());
        assertEquals("lower", record.get("better").asText());
        assertEquals(0.0, new Gate("mae", true, "d", json("{\"mae\": 1}"), null).tolerance());
        assertThrows(IllegalArgumentException.class, () -> gate("mae", true, 1, 1, -0.1));
        assertThrows(IllegalArgumentException.class, () -> gate("mae", true, 1, 1, Double.NaN));
    }
}
