package io.sparkrnn.driver.round;

import java.io.Serializable;
import java.util.Map;

/**
 * What one task returns: its partition, delta = local - global parameters, the tokens it trained on (the
 * delta's weight), loss and step statistics, its final recurrent state (null when the model carries none),
 * (policy AVERAGE) its inner optimizer state and (policy KEEP) its kept state after the round; {@code seconds}
 * is the time of its H inner steps alone. A {@code stale} result trained nothing: its replica did not hold the
 * kept state the round starts from, and the driver re-runs the round with the states sent.
 */
record WorkerResult(int partition, float[] delta, long tokens, double lossSum, int clippedSteps,
        int skippedSteps, double gradNormSum, int steps, float[] state, Map<String, float[]> innerState,
        long innerSteps, KeptState kept, boolean stale, double seconds) implements Serializable {

    /** The result of a partition whose replica holds another round's kept state (or none): a zero delta. */
    static WorkerResult stale(int partition, int parameters) {
        return new WorkerResult(partition, new float[parameters], 0, 0, 0, 0, 0, 0, null, null, 0, null, true, 0);
    }
}
