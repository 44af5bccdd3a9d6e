package io.sparkrnn.jobs.config;

import java.util.List;

/**
 * Best-model selection and early stopping: the {@code train.early-stopping.*} keys and {@code train.final-model}.
 * A validation improves on the best one when its {@link #metric} is better by more than {@link #minDelta} (lower
 * or higher, as the metric goes); that round is the best, its checkpoint is kept whatever the retention policy, and
 * {@link #patience} validations in a row without an improvement stop the run (Keras' EarlyStopping).
 *
 * @param metric        {@code train.early-stopping.metric}: a figure of the task's validation ({@link TaskMetrics#validated});
 *                      the config's empty default is the task's own, the first
 * @param lowerIsBetter which way {@link #metric} is better
 * @param patience      {@code train.early-stopping.patience}: validations without an improvement before the run stops;
 *                      0 = it never stops early
 * @param minDelta      {@code train.early-stopping.min-delta}: the least change that counts as an improvement, in
 *                      the metric's units
 * @param finalBest     {@code train.final-model = best}: the model written at the end is the best round's (false:
 *                      the last round's)
 */
public record EarlyStoppingSection(String metric, boolean lowerIsBetter, int patience, double minDelta,
        boolean finalBest) {

    /** The section of {@code task}, whose validation gives {@code validated} (its own figure first). */
    static EarlyStoppingSection of(JobConfig c, String task, List<String> validated) {
        String given = c.getString("train.early-stopping.metric");
        String metric = given.isEmpty() ? validated.get(0) : given;
        if (!validated.contains(metric)) {
            throw new ConfigException(c.source() + ": train.early-stopping.metric = " + metric + ": the validation "
                    + "of task = " + task + " gives " + String.join(", ", validated));
        }
        return new EarlyStoppingSection(metric, TaskMetrics.lowerIsBetter(metric),
                c.getInt("train.early-stopping.patience"), c.getDouble("train.early-stopping.min-delta"),
                c.getChoice("train.final-model").equals("best"));
    }

    /** Whether {@code value} improves on {@code best} (null: nothing validated yet) by more than {@link #minDelta}; NaN never does. */
    public boolean improves(double value, Double best) {
        if (Double.isNaN(value)) {
            return false;
        }
        if (best == null) {
            return true;
        }
        return lowerIsBetter ? value < best - minDelta : value > best + minDelta;
    }
}
