package io.sparkrnn.driver.round;

/**
 * How a round's tasks live ({@code train.round-tasks}; docs/architecture.md, "Resident round tasks").
 * <ul>
 *   <li>{@link #PER_ROUND}: every round is its own Spark job: the parameters go out as a broadcast, each task runs
 *       its H inner steps, returns its result and ends.</li>
 *   <li>{@link #RESIDENT}: one Spark job's tasks, one per partition, stay on their executors across rounds and
 *       exchange the round's snapshot and results with the driver over a connection of their own, which saves
 *       Spark's per-job path (submission, task launch, the results' way back) every round. The tasks end when
 *       another Spark job of the application starts (a validation, say: their cores are then free for it), when
 *       training ends, or when one of them is lost; the next round starts new ones. A round whose tasks are lost
 *       runs again as its own job (with Spark's task retries), from the same snapshot, so the result is the same
 *       as an uninterrupted run's. Every result goes to the driver, which sums them in partition order.</li>
 *   <li>{@link #AUTO}: resident where the results go to the driver anyway (at most
 *       {@value RoundTrainer#DRIVER_RESULTS} partitions), per round otherwise (where the tasks sum the results in
 *       a tree and the driver receives one partial sum).</li>
 * </ul>
 * Resident tasks need as many free task slots as partitions: with fewer (a lost executor not yet replaced, a
 * smaller cluster) the round runs as its own job.
 */
public enum RoundTaskMode {
    AUTO, PER_ROUND, RESIDENT;

    /** The mode named by {@code train.round-tasks}: auto, per-round or resident. */
    public static RoundTaskMode parse(String s) {
        return switch (s) {
            case "auto" -> AUTO;
            case "per-round" -> PER_ROUND;
            case "resident" -> RESIDENT;
            default -> throw new IllegalArgumentException("round tasks must be auto, per-round or resident, found '"
                    + s + "'");
        };
    }

    /** Whether rounds over {@code partitions} partitions run in resident tasks. */
    boolean resident(int partitions) {
        return this == RESIDENT || (this == AUTO && partitions <= RoundTrainer.DRIVER_RESULTS);
    }
}
