package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.optim.OptimizerType;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;

/**
 * Sizes ND4J's native (off-heap) memory from the executor's memory overhead, where YARN and Kubernetes count
 * it: every task's replica must fit in {@code spark.executor.memoryOverhead} (default max(384 MiB, 10% of
 * {@code spark.executor.memory})), less a reserve for the native libraries. JavaCPP's limits are set to that
 * budget so that a replica that outgrows it fails with a clear error in the executor instead of the container
 * being killed.
 */
public final class ExecutorMemory {
    /** Native libraries (libnd4j, OpenBLAS) and JVM native overhead kept out of the replicas' budget. */
    static final long RESERVE = 256L << 20;

    private ExecutorMemory() {
    }

    /** Off-heap bytes the executors offer the replicas of their concurrent tasks. */
    public static long budget(SparkConf conf) {
        long heap = JavaUtils.byteStringAsBytes(conf.get("spark.executor.memory", "1g"));
        long overhead = conf.contains("spark.executor.memoryOverhead")
                ? JavaUtils.byteStringAsMb(conf.get("spark.executor.memoryOverhead")) << 20
                : Math.max(384L << 20, (long) (heap * conf.getDouble("spark.executor.memoryOverheadFactor", 0.10)));
        return overhead - RESERVE;
    }

    /** {@link #checkReplicas} then {@link #setLimits}, for a model known before Spark starts. */
    public static void configure(SparkConf conf, SequenceModel model, OptimizerType optimizer, int batch, int steps) {
        checkReplicas(conf, model, optimizer, batch, steps);
        setLimits(conf);
    }

    private static boolean local(SparkConf conf) {
        return conf.get("spark.master", "local[*]").startsWith("local");
    }

    /**
     * Checks that the executors' concurrent tasks' replicas of {@code model} fit the budget: a clear error naming the
     * settings when not. The model is the one the run trains (its vocabulary known from the data), so a character
     * model is not held to the 65,536 characters it could have. Local mode (one JVM) is left to the driver's own
     * settings.
     */
    public static void checkReplicas(SparkConf conf, SequenceModel model, OptimizerType optimizer, int batch,
            int steps) {
        checkReplicas(conf, model, optimizer, batch, steps, 1);
    }

    /**
     * As {@link #checkReplicas(SparkConf, SequenceModel, OptimizerType, int, int)} for tasks that run
     * {@code engineThreads} engine threads ({@code train.engine-threads}): their row blocks share the window's
     * activations, and each thread beyond the first adds a gradient vector and its cells' transposed recurrent
     * weights (two parameter-sized vectors).
     */
    public static void checkReplicas(SparkConf conf, SequenceModel model, OptimizerType optimizer, int batch,
            int steps, int engineThreads) {
        if (local(conf)) {
            return;
        }
        int tasks = Math.max(1, conf.getInt("spark.executor.cores", 1) / conf.getInt("spark.task.cpus", 1));
        long replica = model.workingBytes(batch, steps, stateVectors(optimizer), 4)
                + (Math.max(1, engineThreads) - 1L) * 2 * model.layout().size() * 4;
        long budget = budget(conf);
        if (replica * tasks > budget) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%d concurrent tasks per executor need "
                    + "about %d MiB of native memory for their model replicas (%d MiB each), but "
                    + "spark.executor.memoryOverhead leaves %d MiB (after %d MiB for native libraries); raise "
                    + "spark.executor.memoryOverhead, lower spark.executor.cores, or use a smaller batch or k1",
                    tasks, (replica * tasks) >> 20, replica >> 20, Math.max(0, budget >> 20), RESERVE >> 20));
        }
    }

    /**
     * Sets JavaCPP's limits to the budget in the executors' Java options (before the context starts), unless the
     * options already carry them; nothing in local mode.
     */
    public static void setLimits(SparkConf conf) {
        if (local(conf)) {
            return;
        }
        long budget = budget(conf);
        String opts = conf.get("spark.executor.extraJavaOptions", "");
        if (!opts.contains("org.bytedeco.javacpp.maxbytes")) {
            long heap = JavaUtils.byteStringAsBytes(conf.get("spark.executor.memory", "1g"));
            opts = (opts + " -Dorg.bytedeco.javacpp.maxbytes=" + budget + " -Dorg.bytedeco.javacpp.maxphysicalbytes="
                    + (heap + budget + RESERVE)).trim();
            conf.set("spark.executor.extraJavaOptions", opts);
        }
    }

    static int stateVectors(OptimizerType t) {
        return switch (t) {
            case SGD -> 0;
            case MOMENTUM, NESTEROV -> 1;
            case ADAM, ADAMW -> 2;
        };
    }
}
