package io.sparkrnn.driver.round;

/**
 * What happens to the inner optimizer's state (momentum, Adam moments) between rounds.
 * <ul>
 *   <li>{@code RESET}: fresh state every round. Exactly reproducible (a retried task recomputes the same delta)
 *       and cheap, but Adam restarts its bias correction each round, so short rounds (small H) train worse.</li>
 *   <li>{@code KEEP}: each partition keeps its state on its executor. No extra traffic and Adam's moments stay
 *       warm, but the state drifts apart from the averaged parameters, and a task retried on another executor
 *       (or after executor loss) starts from fresh state, so runs with failures are not bit-reproducible.</li>
 *   <li>{@code AVERAGE}: the state is averaged across partitions with the parameters and broadcast back.
 *       Reproducible and consistent, at the cost of shipping the state (2x the parameters for Adam) each
 *       round both ways.</li>
 * </ul>
 */
public enum InnerStatePolicy {
    RESET, KEEP, AVERAGE
}
