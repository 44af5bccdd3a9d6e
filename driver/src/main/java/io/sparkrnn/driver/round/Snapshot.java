package io.sparkrnn.driver.round;

import java.io.Serializable;
import java.util.Map;

/**
 * What the driver broadcasts at the start of a round: the global parameters, the inner learning-rate
 * scale, each partition's recurrent state carried from the previous round, (policy AVERAGE) the averaged
 * inner optimizer state and (policy KEEP) the round whose kept state every partition must continue from.
 *
 * @param keptRound the label of the kept state the round starts from: rounds completed when the driver last
 *                  took it (0 = fresh); a replica holding another label must not train on its state
 * @param kept      (policy KEEP) each partition's kept state, when the driver sends it (after a resume, a
 *                  rejected round, or a replica that held another round's state); a partition absent from it
 *                  starts fresh; null when the replicas' own state is to be used
 */
record Snapshot(long round, float[] params, double lrScale, Map<Integer, float[]> states,
        Map<String, float[]> innerState, long innerSteps, long keptRound, Map<Integer, KeptState> kept)
        implements Serializable {
}
