package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RoundCostRunTest {
    private static RoundCostRun.Result run(int partitions) {
        return new RoundCostRun(SparkBenchTest.TEXT, 8, 128, partitions, 2, 2, 8, 1, 3, 1234).run();
    }

    /**
     * The byte accounting against what a round must move, N parameters: the broadcast is the snapshot's 4 N bytes of
     * float32 plus the small task closures; with 2 partitions the driver receives both float deltas (2 x 4 N) and
     * nothing is shuffled; with 5 the 5 float deltas (5 x 4 N, compressed) go through the shuffle to one aggregation
     * task and the driver receives only its double partial sum (8 N), whatever the partition count.
     */
    @Test
    void bytesOfARoundAreTheParametersTheProtocolMoves() {
        RoundCostRun.Result two = run(2);
        long n = two.parameters();
        assertTrue(n > 80_000 && n < 90_000, "parameters " + n);
        // Every task's result carries its statistics and recurrent state besides the delta: a few KB.
        long slack = 64 * 1024;
        for (RoundCostRun.Round r : two.rounds().subList(1, 3)) {
            assertTrue(r.broadcast() >= 4 * n && r.broadcast() < 4 * n + slack, r + " vs 4N = " + 4 * n);
            assertTrue(r.received() >= 8 * n && r.received() < 8 * n + slack, r + " vs 2 x 4N = " + 8 * n);
            assertEquals(0, r.shuffled(), r.toString());
            assertEquals(2, r.tasks(), r.toString());
            assertTrue(Double.isNaN(r.cpuPerAggregationInput()), r.toString());
            assertTrue(r.secondsOutside() > 0 && r.secondsOutside() < r.secondsTotal(), r.toString());
        }
        RoundCostRun.Result five = run(5);
        assertEquals(n, five.parameters());
        for (RoundCostRun.Round r : five.rounds().subList(1, 3)) {
            assertTrue(r.broadcast() >= 4 * n && r.broadcast() < 4 * n + slack, r + " vs 4N = " + 4 * n);
            assertTrue(r.received() >= 8 * n && r.received() < 8 * n + slack, r + " vs one partial 8N = " + 8 * n);
            // Shuffle blocks are LZ4-compressed (Spark's default): a delta of one step leaves the embedding rows of
            // characters not seen at zero.
            assertTrue(r.shuffled() >= 10 * n && r.shuffled() < 20 * n + slack, r + " vs 5 x 4N = " + 20 * n);
            assertEquals(5 + 1, r.tasks(), r.toString());
            // The aggregation task took in the 5 deltas; CPU time is measured for both kinds of task.
            assertTrue(r.cpuPerTrainingTask() > 0 && r.cpuPerTrainingTask() < r.secondsTotal(), r.toString());
            assertTrue(r.cpuPerAggregationInput() > 0 && r.cpuPerAggregationInput() < r.secondsTotal(), r.toString());
        }
    }
}
