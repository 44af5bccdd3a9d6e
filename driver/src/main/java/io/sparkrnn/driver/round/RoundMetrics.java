package io.sparkrnn.driver.round;

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

    public String toJson() {
        return String.format(Locale.ROOT, "{\"round\":%d,\"epoch\":%.4f,\"tokens\":%d,\"train_loss\":%s,"
                + "\"tokens_per_sec\":%.1f,\"delta_norm\":%s,\"delta_norm_clipped\":%s,\"clipped\":%b,"
                + "\"rejected\":%b,\"rejections\":%d,\"local_clips\":%d,\"seconds_local\":%.4f,"
                + "\"seconds_outside\":%.4f,\"seconds_total\":%.4f,\"lr_scale\":%s}",
                round, epoch, tokens, num(trainLoss), tokensPerSec, num(deltaNorm), num(deltaNormAfter), clipped,
                rejected, rejections, localClips, secondsLocal, secondsOutside(), secondsTotal, num(lrScale));
    }

    private static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    /** The console line. */
    public String toConsole(long totalRounds) {
        return String.format(Locale.ROOT, "round %d/%d  epoch %.2f  loss %.4f  %,.0f tok/s  |delta| %.3g%s%s  "
                + "local %.2fs + other %.2fs", round + 1, totalRounds, epoch, trainLoss, tokensPerSec, deltaNorm,
                clipped ? " (clipped to " + String.format(Locale.ROOT, "%.3g", deltaNormAfter) + ")" : "",
                rejected ? "  REJECTED" : "", secondsLocal, secondsOutside());
    }
}
