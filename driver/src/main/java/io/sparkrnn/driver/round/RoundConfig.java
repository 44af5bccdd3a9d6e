package io.sparkrnn.driver.round;

import java.io.Serializable;

/**
 * Settings of the round protocol.
 *
 * @param localSteps       H: inner optimizer steps per partition per round (&gt;= 1)
 * @param clipNorm         threshold on the global L2 norm of the averaged delta (&gt; 0; +Infinity for none)
 * @param outer            the driver's step on the averaged delta
 * @param innerState       what happens to the inner optimizer state between rounds
 * @param maxRejections    rounds in a row with a non-finite average before the job stops
 * @param rejectBackoff    factor on the inner learning rate after a rejected round, in (0, 1)
 * @param aggregationFanIn partial sums merged per aggregation task (the tree's fan-in), &gt;= 2
 * @param tasks            how the round's tasks live: a job per round, or resident across rounds
 */
public record RoundConfig(int localSteps, double clipNorm, OuterOptimizer.Config outer, InnerStatePolicy innerState,
        int maxRejections, double rejectBackoff, int aggregationFanIn, RoundTaskMode tasks) implements Serializable {
    public RoundConfig {
        if (localSteps < 1) {
            throw new IllegalArgumentException("localSteps (H) must be >= 1, found " + localSteps);
        }
        if (!(clipNorm > 0)) {
            throw new IllegalArgumentException("clipNorm must be > 0 (Infinity for no clipping), found " + clipNorm);
        }
        if (outer == null || innerState == null || tasks == null) {
            throw new IllegalArgumentException("outer optimizer, inner state policy and task mode are required");
        }
        if (maxRejections < 1) {
            throw new IllegalArgumentException("maxRejections must be >= 1, found " + maxRejections);
        }
        if (!(rejectBackoff > 0 && rejectBackoff < 1)) {
            throw new IllegalArgumentException("rejectBackoff must be in (0, 1), found " + rejectBackoff);
        }
        if (aggregationFanIn < 2) {
            throw new IllegalArgumentException("aggregationFanIn must be >= 2, found " + aggregationFanIn);
        }
    }

    /**
     * H local steps, plain averaging, reset inner state, no clipping, 3 rejections, backoff 0.5, fan-in 16, round
     * tasks {@link RoundTaskMode#AUTO}.
     */
    public static RoundConfig defaults(int localSteps) {
        return new RoundConfig(localSteps, Double.POSITIVE_INFINITY, OuterOptimizer.Config.averaging(),
                InnerStatePolicy.RESET, 3, 0.5, 16, RoundTaskMode.AUTO);
    }

    public RoundConfig withClipNorm(double c) {
        return new RoundConfig(localSteps, c, outer, innerState, maxRejections, rejectBackoff, aggregationFanIn, tasks);
    }

    public RoundConfig withOuter(OuterOptimizer.Config o) {
        return new RoundConfig(localSteps, clipNorm, o, innerState, maxRejections, rejectBackoff, aggregationFanIn,
                tasks);
    }

    public RoundConfig withInnerState(InnerStatePolicy p) {
        return new RoundConfig(localSteps, clipNorm, outer, p, maxRejections, rejectBackoff, aggregationFanIn, tasks);
    }

    public RoundConfig withAggregationFanIn(int f) {
        return new RoundConfig(localSteps, clipNorm, outer, innerState, maxRejections, rejectBackoff, f, tasks);
    }

    public RoundConfig withTasks(RoundTaskMode t) {
        return new RoundConfig(localSteps, clipNorm, outer, innerState, maxRejections, rejectBackoff, aggregationFanIn,
                t);
    }
}
