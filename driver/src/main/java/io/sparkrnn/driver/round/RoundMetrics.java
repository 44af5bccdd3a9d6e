package io.sparkrnn.driver.round;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * One round, as printed on the console and written as a JSON line.
 *
 * @param round          round index (0-based)
 * @param epoch          passes over the data so far (fractional)
 * @param tokens         tokens trained on in this round, all partitions
 * @param trainLoss      mean training loss over those tokens (nats)
 * @param tokensPerSec   tokens / wall-clock seconds of the round
 * @param deltaNorm      L2 norm of the averaged delta before clipping (NaN when rejected)
 * @param deltaNormAfter L2 norm after clipping
 * @param clipped        whether the global clip fired
 * @param rejected       whether the round was rejected (non-finite average)
 * @param rejections     rejected rounds so far
 * @param localClips     inner steps whose local clip fired
 * @param secondsLocal   the slowest task's local training: its H inner steps, without loading the broadcast
 *                       parameters before them or extracting the delta after them
 * @param secondsTotal   wall-clock time of the round
 * @param lrScale        inner learning-rate scale (1 unless backed off)
 * @param phases         where the round's time went (not written to {@code metrics.jsonl})
 */
public record RoundMetrics(long round, double epoch, long tokens, double trainLoss, double tokensPerSec,
        double deltaNorm, double deltaNormAfter, boolean clipped, boolean rejected, int rejections, int localClips,
        double secondsLocal, double secondsTotal, double lrScale, Phases phases) {

    /** A round without its breakdown ({@link Phases#NONE}). */
    public RoundMetrics(long round, double epoch, long tokens, double trainLoss, double tokensPerSec,
            double deltaNorm, double deltaNormAfter, boolean clipped, boolean rejected, int rejections,
            int localClips, double secondsLocal, double secondsTotal, double lrScale) {
        this(round, epoch, tokens, trainLoss, tokensPerSec, deltaNorm, deltaNormAfter, clipped, rejected, rejections,
                localClips, secondsLocal, secondsTotal, lrScale, Phases.NONE);
    }

    /**
     * Where a round's wall time went, in seconds: the driver's steps on its clock, in the order they run, and the
     * tasks' own steps around their local training (each the largest over the round's tasks). A round the driver
     * runs again (policy KEEP, a replica holding another round's state) counts both runs.
     *
     * @param broadcast   the driver's broadcast of the round's {@code Snapshot} (serialising it into pieces)
     * @param job         the round's Spark job, from its submission to the results on the driver: scheduling and
     *                    launching the tasks, the tasks themselves, serialising, sending and deserialising their
     *                    results (and, beyond {@code RoundTrainer.DRIVER_RESULTS} partitions, the aggregation tree)
     * @param taskLoad    a task's time before its local training: reading the snapshot, loading the parameters,
     *                    recurrent state and inner state into its replica
     * @param taskExtract a task's time after its local training: taking the delta, recurrent and inner state out
     * @param sum         the driver's token-weighted sum of the results it received
     * @param apply       the average, the finiteness check, the clip, the outer step and the averaged inner state
     * @param release     removing the round's broadcast
     */
    public record Phases(double broadcast, double job, double taskLoad, double taskExtract, double sum, double apply,
            double release) {
        /** No breakdown (all NaN). */
        public static final Phases NONE = new Phases(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN);

        /**
         * The job's time that is neither local training ({@code local}, the slowest task's inner steps) nor a
         * task's load or extract: Spark's scheduling and launch, (de)serialising the tasks and their results and
         * sending them, and waiting for the last task when the tasks do not end together.
         */
        public double spark(double local) {
            return job - local - taskLoad - taskExtract;
        }
    }

    /**
     * Seconds outside local training: the round's wall time less the slowest task's inner steps (broadcast,
     * scheduling, loading the replica, extracting and shipping the delta, aggregation, the outer step).
     */
    public double secondsOutside() {
        return Math.max(0, secondsTotal - secondsLocal);
    }

    /** Numbers rounded to n places keep n places when written (0.2500, not 0.25), as String.format wrote them. */
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    /**
     * The round as one line of {@code metrics.jsonl}: counts as integers, epoch and seconds rounded to 4 decimals,
     * tokens per second to 1, loss, delta norms and lr scale in full; a value that is not finite is null.
     */
    public ObjectNode toJson() {
        ObjectNode o = NODES.objectNode();
        o.put("round", round);
        o.set("epoch", rounded(epoch, 4));
        o.put("tokens", tokens);
        o.set("train_loss", full(trainLoss));
        o.set("tokens_per_sec", rounded(tokensPerSec, 1));
        o.set("delta_norm", full(deltaNorm));
        o.set("delta_norm_clipped", full(deltaNormAfter));
        o.put("clipped", clipped);
        o.put("rejected", rejected);
        o.put("rejections", rejections);
        o.put("local_clips", localClips);
        o.set("seconds_local", rounded(secondsLocal, 4));
        o.set("seconds_outside", rounded(secondsOutside(), 4));
        o.set("seconds_total", rounded(secondsTotal, 4));
        o.set("lr_scale", full(lrScale));
        return o;
    }

    /**
     * {@code v} rounded half-up to {@code places} decimals and written with all of them, the text of
     * {@code String.format("%.<places>f", v)}; null when not finite. The number format of every rounded field of a
     * metrics line, the task's {@code valid_*} fields included.
     */
    public static JsonNode rounded(double v, int places) {
        return Double.isFinite(v) ? NODES.numberNode(BigDecimal.valueOf(v).setScale(places, RoundingMode.HALF_UP))
                : NODES.nullNode();
    }

    private static JsonNode full(double v) {
        return Double.isFinite(v) ? NODES.numberNode(v) : NODES.nullNode();
    }

    /** The console line. */
    public String toConsole(long totalRounds) {
        return String.format(Locale.ROOT, "round %d/%d  epoch %.2f  loss %.4f  %,.0f tok/s  |delta| %.3g%s%s  "
                + "local %.2fs + other %.2fs", round + 1, totalRounds, epoch, trainLoss, tokensPerSec, deltaNorm,
                clipped ? " (clipped to " + String.format(Locale.ROOT, "%.3g", deltaNormAfter) + ")" : "",
                rejected ? "  REJECTED" : "", secondsLocal, secondsOutside());
    }
}
