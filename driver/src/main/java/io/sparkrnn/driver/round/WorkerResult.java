package io.sparkrnn.driver.round;

import java.io.Serializable;
import java.util.Map;

/**
 * What one task returns: its partition, delta = local - global parameters, the tokens it trained on (the
 * delta's weight), loss and step statistics, its final recurrent state (null when the model carries none)
 * and (policy AVERAGE) its inner optimizer state; {@code seconds} is the time of its H inner steps alone.
 */
record WorkerResult(int partition, float[] delta, long tokens, double lossSum, int clippedSteps,
        int skippedSteps, double gradNormSum, int steps, float[] state, Map<String, float[]> innerState,
        long innerSteps, double seconds) implements Serializable {
}
