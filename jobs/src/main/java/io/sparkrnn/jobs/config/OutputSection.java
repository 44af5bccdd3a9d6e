package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.checkpoint.CheckpointPolicy;

/**
 * What a training run writes to {@code output.dir}: the {@code output.*} and {@code checkpoint.*} keys.
 *
 * @param dir         {@code output.dir}: a local folder or a URI
 * @param overwrite   {@code output.overwrite}: replace a previous run's model
 * @param checkpoints {@code checkpoint.every-rounds}, {@code every-minutes}, {@code keep-last}, {@code keep-every}
 */
public record OutputSection(String dir, boolean overwrite, CheckpointPolicy checkpoints) {

    static OutputSection of(JobConfig c) {
        return new OutputSection(c.getString("output.dir"), c.getBoolean("output.overwrite"),
                new CheckpointPolicy(c.getInt("checkpoint.every-rounds"), c.getDouble("checkpoint.every-minutes"),
                        c.getInt("checkpoint.keep-last"), c.getInt("checkpoint.keep-every")));
    }
}
