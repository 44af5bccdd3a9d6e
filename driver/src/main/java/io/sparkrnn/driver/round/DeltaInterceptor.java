package io.sparkrnn.driver.round;

import java.io.Serializable;

/**
 * Sees (and may change) each partition's delta before it leaves the task. For fault-injection tests (a
 * non-finite or huge delta, a slow partition); production runs use {@link #NONE}.
 */
@FunctionalInterface
public interface DeltaInterceptor extends Serializable {
    DeltaInterceptor NONE = (round, partition, delta) -> { };

    void intercept(long round, int partition, float[] delta);
}
