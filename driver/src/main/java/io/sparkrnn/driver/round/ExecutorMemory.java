package io.sparkrnn.driver.round;

import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.optim.OptimizerType;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes ND4J's native (off-heap) memory from the executor's memory overhead, where YARN and Kubernetes count
 * it: every task's replica must fit in {@code spark.executor.memoryOverhead} (default max(384 MiB, 10% of
 * {@code spark.executor.memory})), less a reserve for the native libraries. JavaCPP's limits are set from that
 * budget so that a replica that outgrows it fails with a clear error in the executor instead of the container
 * being killed: {@code maxphysicalbytes} caps the executor's resident size at heap + overhead (ND4J 1.0.0-M2.1
 * allocates its CPU buffers in libnd4j, outside JavaCPP's {@code maxbytes} count, so the resident-size cap is
 * the one that binds them; {@code maxbytes} bounds JavaCPP's own allocations).
 *
 * <p>Sizes are read as Spark reads them: {@code spark.executor.memory} and {@code spark.executor.memoryOverhead}
 * without a unit are MiB.
 */
public final class ExecutorMemory {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorMemory.class);
    /** Native libraries (libnd4j, OpenBLAS) and JVM native overhead kept out of the replicas' budget. */
    static final long RESERVE = 256L << 20;
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*(\\d+)\\s*,.*\\]");

    private ExecutorMemory() {
    }

    /** The executor heap, {@code spark.executor.memory} (default 1g; unitless = MiB). */
    static long heap(SparkConf conf) {
        return JavaUtils.byteStringAsMb(conf.get("spark.executor.memory", "1g")) << 20;
    }

    /**
     * Off-heap bytes the executors offer the replicas of their concurrent tasks: the overhead less {@link #RESERVE}.
     * An overhead that does not exceed the reserve is refused rather than clamped: a budget raised above it would
     * let the executor outgrow its container (the failure these limits exist to turn into an error), and a budget
     * of zero would pass JavaCPP a limit of 0, which it reads as none. The default overhead is at least 384 MiB, so
     * only an explicit setting is refused.
     */
    public static long budget(SparkConf conf) {
        long overhead = conf.contains("spark.executor.memoryOverhead")
                ? JavaUtils.byteStringAsMb(conf.get("spark.executor.memoryOverhead")) << 20
                : Math.max(384L << 20,
                        (long) (heap(conf) * conf.getDouble("spark.executor.memoryOverheadFactor", 0.10)));
        if (overhead <= RESERVE) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "spark.executor.memoryOverhead is %d MiB, "
                    + "but the native libraries alone take %d MiB of it: set it above %d MiB (the replicas' "
                    + "native memory comes on top)", overhead >> 20, RESERVE >> 20, RESERVE >> 20));
        }
        return overhead - RESERVE;
    }

    /** {@link #checkReplicas} then {@link #setLimits}, for a model known before Spark starts. */
    public static void configure(SparkConf conf, SequenceModel model, OptimizerType optimizer, int batch, int steps) {
        checkReplicas(conf, model, optimizer, batch, steps);
        setLimits(conf);
    }

    /** One JVM (local, local[N], local[*], local[N,F]): the driver's own settings apply, there are no executors. */
    private static boolean local(SparkConf conf) {
        String master = master(conf);
        return master.startsWith("local") && !master.startsWith("local-cluster");
    }

    private static String master(SparkConf conf) {
        return conf.get("spark.master", "local[*]").trim();
    }

    /**
     * The cores of one executor, or empty where the driver cannot know them. {@code spark.executor.cores} when set;
     * otherwise the master's rule: {@code local-cluster[N,C,M]} gives each executor C; YARN and Kubernetes give 1
     * (their default); a standalone (or Mesos) master gives an executor every free core of its worker, which only
     * the master knows, so {@code spark.cores.max} (the application's total, hence an executor's most) stands for
     * it when set, and nothing does otherwise.
     */
    static OptionalInt executorCores(SparkConf conf) {
        if (conf.contains("spark.executor.cores")) {
            return OptionalInt.of(conf.getInt("spark.executor.cores", 1));
        }
        String master = master(conf);
        Matcher m = LOCAL_CLUSTER.matcher(master);
        if (m.matches()) {
            return OptionalInt.of(Integer.parseInt(m.group(1)));
        }
        if (master.equals("yarn") || master.startsWith("k8s://")) {
            return OptionalInt.of(1);
        }
        if (conf.contains("spark.cores.max")) {
            int max = conf.getInt("spark.cores.max", 1);
            LOG.info("spark.executor.cores is not set: the memory check takes spark.cores.max = {} as the cores of one "
                    + "executor (the most the {} master can give it)", max, master);
            return OptionalInt.of(max);
        }
        return OptionalInt.empty();
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
        check(conf, model.workingBytes(batch, steps, stateVectors(optimizer), 4)
                + (Math.max(1, engineThreads) - 1L) * 2 * model.layout().size() * 4, "batch or k1");
    }

    private static void check(SparkConf conf, long replica, String smaller) {
        long budget = budget(conf);
        OptionalInt cores = executorCores(conf);
        int cpus = conf.getInt("spark.task.cpus", 1);
        if (cores.isEmpty()) {
            long fit = budget / replica;
            if (fit >= 1) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "spark.executor.cores is not set, and "
                        + "on master %s an executor takes every free core of its worker and runs that many tasks at "
                        + "once, which the driver cannot know; spark.executor.memoryOverhead leaves %d MiB (after %d "
                        + "MiB for native libraries), room for %d replica(s) of %d MiB: set spark.executor.cores "
                        + "(--executor-cores) to at most %d, or spark.cores.max (--total-executor-cores)",
                        master(conf), budget >> 20, RESERVE >> 20, fit, replica >> 20, fit * cpus));
            }
        }
        int tasks = Math.max(1, cores.orElse(cpus) / cpus);
        if (replica * tasks > budget) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%d concurrent tasks per executor need "
                    + "about %d MiB of native memory for their model replicas (%d MiB each), but "
                    + "spark.executor.memoryOverhead leaves %d MiB (after %d MiB for native libraries); raise "
                    + "spark.executor.memoryOverhead, lower spark.executor.cores, or use a smaller %s",
                    tasks, (replica * tasks) >> 20, replica >> 20, budget >> 20, RESERVE >> 20, smaller));
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
        String opts = conf.get("spark.executor.extraJavaOptions", "");
        if (!opts.contains("org.bytedeco.javacpp.maxbytes")) {
            long budget = budget(conf);
            opts = (opts + " -Dorg.bytedeco.javacpp.maxbytes=" + budget + " -Dorg.bytedeco.javacpp.maxphysicalbytes="
                    + (heap(conf) + budget + RESERVE)).trim();
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
