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
 */
public record RoundMetrics(long round, double epoch, long tokens, double trainLoss, double tokensPerSec,
        double deltaNorm, double deltaNormAfter, boolean clipped, boolean rejected, int rejections, int localClips,
        double secondsLocal, double secondsTotal, double lrScale) {

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
