package io.sparkrnn.driver.round;

import java.io.Serializable;
import java.util.Map;

/**
 * What the driver broadcasts at the start of a round: the global parameters, the inner learning-rate
 * scale, each partition's recurrent state carried from the previous round, and (policy AVERAGE) the
 * averaged inner optimizer state.
 */
record Snapshot(long round, float[] params, double lrScale, Map<Integer, float[]> states,
        Map<String, float[]> innerState, long innerSteps) implements Serializable {
}
