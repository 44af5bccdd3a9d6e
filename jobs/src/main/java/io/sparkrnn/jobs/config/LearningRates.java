package io.sparkrnn.jobs.config;

import io.sparkrnn.engine.optim.LrSchedule;
import java.util.Locale;
import java.util.Map;

/**
 * The inner learning-rate schedule a config asks for ({@code train.lr-schedule}, {@code train.lr},
 * {@code train.warmup-steps}, {@code train.min-lr}), indexed like the round loop's inner steps: step
 * {@code r * H + j} is inner step j of round r, so a run of R rounds has {@code T = R * H} steps (H =
 * {@code train.local-steps}). With peak P = {@code train.lr}, floor M and W warm-up steps ({@link LrSchedule}):
 * {@code constant} is P at every step (after a linear warm-up when W > 0); {@code cosine} and {@code linear} warm up
 * linearly to P, then decay to M at the last step T (cosine: {@code M + (P - M) (1 + cos(pi x)) / 2}).
 * Because T follows {@code train.rounds}, a run resumed with more rounds stretches the rest of the decay.
 */
public final class LearningRates {
    public static final String KINDS = "constant | cosine | linear";

    private LearningRates() {
    }

    /** The schedule of a validated config. */
    static LrSchedule of(JobConfig c) {
        return of(c.getChoice("train.lr-schedule"), c.getDouble("train.lr"), c.getInt("train.warmup-steps"),
                c.getDouble("train.min-lr"), (long) c.getInt("train.rounds") * c.getInt("train.local-steps"),
                c.source() + ": ");
    }

    /**
     * The schedule of a resolved config as printed (key to value), as the report draws it; a config without
     * {@code train.lr-schedule} (older runs) is constant.
     */
    public static LrSchedule of(Map<String, String> config) {
        String kind = config.getOrDefault("train.lr-schedule", "constant");
        double lr = Double.parseDouble(config.get("train.lr"));
        long warmup = Long.parseLong(config.getOrDefault("train.warmup-steps", "0"));
        if (kind.equals("constant") && warmup == 0) {
            return LrSchedule.constant(lr);
        }
        return of(kind, lr, warmup, Double.parseDouble(config.getOrDefault("train.min-lr", "0")),
                Long.parseLong(config.get("train.rounds")) * Long.parseLong(config.get("train.local-steps")), "");
    }

    /**
     * @param kind       constant, cosine or linear
     * @param peak       {@code train.lr}, positive
     * @param warmup     {@code train.warmup-steps}, at most {@code totalSteps}
     * @param minLr      {@code train.min-lr} (cosine, linear), at most {@code peak}
     * @param totalSteps rounds times local steps
     * @param where      prefix of error messages (the config's source)
     */
    static LrSchedule of(String kind, double peak, long warmup, double minLr, long totalSteps, String where) {
        if (warmup > totalSteps) {
            throw new ConfigException(where + "train.warmup-steps must be <= train.rounds * train.local-steps = "
                    + totalSteps + ", found " + warmup);
        }
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "constant" -> warmup == 0 ? LrSchedule.constant(peak)
                    : LrSchedule.warmupLinear(peak, warmup, totalSteps, peak);
            case "cosine", "linear" -> {
                if (!(minLr <= peak)) {
                    throw new ConfigException(where + "train.min-lr must be <= train.lr = " + peak + ", found "
                            + minLr);
                }
                yield kind.equalsIgnoreCase("cosine") ? LrSchedule.warmupCosine(peak, warmup, totalSteps, minLr)
                        : LrSchedule.warmupLinear(peak, warmup, totalSteps, minLr);
            }
            default -> throw new ConfigException(where + "train.lr-schedule must be one of " + KINDS + ", found "
                    + kind);
        };
    }
}
