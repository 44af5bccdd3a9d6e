package io.sparkrnn.driver.round;

/**
 * What happens to the inner optimizer's state (momentum, Adam moments) between rounds.
 * <ul>
 *   <li>{@code RESET}: fresh state every round. Exactly reproducible (a retried task recomputes the same delta)
 *       and cheap, but Adam restarts its bias correction each round, so short rounds (small H) train worse.</li>
 *   <li>{@code KEEP}: each partition continues from its own state, so Adam's moments stay warm (they drift apart
 *       from the averaged parameters). Each task returns its state with its delta (2x the parameters for Adam,
 *       the upload of AVERAGE), and the driver's copy after the last accepted round is the authority: it goes
 *       into checkpoints, and it is sent back only when a replica does not hold it (after a resume, a rejected
 *       round, a moved partition or a lost executor). Exactly reproducible, failures included.</li>
 *   <li>{@code AVERAGE}: the state is averaged across partitions with the parameters and broadcast back.
 *       Reproducible and consistent, at the cost of shipping the state (2x the parameters for Adam) each
 *       round both ways.</li>
 * </ul>
 */
public enum InnerStatePolicy {
    RESET, KEEP, AVERAGE
}
