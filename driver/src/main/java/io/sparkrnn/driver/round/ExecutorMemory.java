package io.sparkrnn.driver.round;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.optim.OptimizerType;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import io.sparkrnn.engine.tensor.Precision;
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
    /**
     * ND4J's bookkeeping per decoder step: some 64 arrays and views kept for the backward pass, about 320 bytes of
     * descriptors each beyond their values (measured with glibc's count of allocated bytes).
     */
    static final long DECODER_STEP_ARRAYS = 64 * 320;
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
        checkReplicas(conf, model, optimizer, batch, steps, engineThreads, Precision.FLOAT32);
    }

    /**
     * As {@link #checkReplicas(SparkConf, SequenceModel, OptimizerType, int, int, int)} with the products in
     * {@code precision} ({@code train.precision}): bf16 adds {@link #bf16Bytes}.
     */
    public static void checkReplicas(SparkConf conf, SequenceModel model, OptimizerType optimizer, int batch,
            int steps, int engineThreads, Precision precision) {
        if (local(conf)) {
            return;
        }
        int threads = Math.max(1, engineThreads);
        check(conf, model.workingBytes(batch, steps, stateVectors(optimizer), 4)
                + (threads - 1L) * 2 * model.layout().size() * 4
                + (precision == Precision.BF16 ? bf16Bytes(model.layout(), threads) : 0), "batch or k1");
    }

    /**
     * The native bytes that bf16 products ({@code train.precision = bf16}, {@code Bf16Products}) add to a replica of
     * the model laid out as {@code layout} stepping on {@code engineThreads} threads: the bf16 mirror of the
     * parameters (2 bytes each) and, per engine thread, the weights packed into oneDNN's layout. Every weight
     * matrix [r, c] that a product takes as its B operand (all 2-d parameters but the embeddings, which are looked
     * up) is packed twice on each thread: as W^T [c, r] for the forward product {@code x W^T} and as W [r, c] for
     * the backward one {@code dY W}, each {@link #packedBf16Bytes} bytes, shared by the thread's products of every
     * row count (windows and batches of any length).
     */
    public static long bf16Bytes(ParamLayout layout, int engineThreads) {
        long packed = 0;
        for (ParamLayout.Entry e : layout.entries()) {
            long[] shape = e.shape();
            if (shape.length == 2 && !e.name().contains("embedding")) {
                packed += packedBf16Bytes(shape[1], shape[0]) + packedBf16Bytes(shape[0], shape[1]);
            }
        }
        return 2 * layout.size() + Math.max(1, engineThreads) * packed;
    }

    /**
     * The bytes of a bf16 weight operand op(B) [k, n] in oneDNN's packed matmul layout: k rounded up to 32 and n to
     * 64 (blocks of 16 pairs of rows by 64 columns; measured with oneDNN 2.5.2's {@code weights_desc} on
     * avx512_core_bf16, independent of the product's row count), 2 bytes a value.
     */
    static long packedBf16Bytes(long k, long n) {
        return roundUp(k, 32) * roundUp(n, 64) * 2;
    }

    private static long roundUp(long x, long to) {
        return (x + to - 1) / to * to;
    }

    /**
     * Checks that the executors' concurrent tasks' encoder-decoder replicas of {@code spec} fit the budget, as
     * {@link #checkReplicas(SparkConf, SequenceModel, OptimizerType, int, int)} does for sequence models: batches of
     * {@code batch} pairs, sources of up to {@code spec.maxSourceLength()} tokens (longer pairs are skipped when the
     * data is read) and targets of up to {@code spec.maxTargetLength(spec.maxSourceLength())} tokens (the longest
     * output decoding allows; training targets are not cut) plus the end token.
     */
    public static void checkReplicas(SparkConf conf, Seq2SeqSpec spec, OptimizerType optimizer, int batch) {
        checkReplicas(conf, spec, optimizer, batch, Precision.FLOAT32);
    }

    /**
     * As {@link #checkReplicas(SparkConf, Seq2SeqSpec, OptimizerType, int)} with the products in {@code precision}
     * ({@code train.precision}): bf16 adds {@link #bf16Bytes} for one engine thread.
     */
    public static void checkReplicas(SparkConf conf, Seq2SeqSpec spec, OptimizerType optimizer, int batch,
            Precision precision) {
        if (local(conf)) {
            return;
        }
        int source = spec.maxSourceLength();
        check(conf, seq2seqWorkingBytes(spec, batch, source, spec.maxTargetLength(source) + 1, stateVectors(optimizer),
                4) + (precision == Precision.BF16 ? bf16Bytes(new Seq2SeqModel(spec).layout(), 1) : 0),
                "batch, data.max-source-length or decode.max-length-ratio");
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

    /**
     * An upper estimate of the native bytes one encoder-decoder training replica holds during a step
     * ({@link Seq2SeqModel#lossAndGradient} under {@code Seq2SeqTrainer}), in {@code bytesPerValue}-byte values.
     *
     * <p>Shapes: B = batch, S = source steps, T = target steps (the longest target + 1 for the end token), D =
     * encoder directions, H_e = encoder hidden, W = D H_e (the memory's width), H = decoder hidden, G = gates x
     * hidden, I = decoder input size (E_t, + H with input feeding), V = target vocabulary, P = parameters.
     * <ul>
     * <li>Replica: parameters, gradients, {@code optimizerVectors} optimizer vectors and a work vector, (3 + k) P.</li>
     * <li>Encoder, kept for the backward pass: the mask and source embeddings [S, B, E_s]; per layer and direction a
     * window over S steps (states and LSTM cells [S+1, B, H_e], gate activations [S, B, G], the LSTM's tanh(c) or
     * GRU's W_hn h per step [S, B, H_e], W_hh^T, the initial state); bidirectional outputs concatenated [S, B, W];
     * dropout masks and masked inputs; the memory M [S, B, W], GENERAL's keys [S, B, H]; the bridge's inputs and
     * outputs per decoder layer.</li>
     * <li>Encoder backward: dM and dK, each from a double copy (3 values per element), and per layer and direction
     * the output gradient's slice, dPre (the GRU's two) and dx over S steps; the bridge's gradients.</li>
     * <li>Decoder, kept per target step (it runs one step at a time and keeps each step's window): embeddings and the
     * input-feeding concatenation [B, I], per layer a one-step window and dropout masks, and with attention the
     * query copy, the context (from a double copy), [c; h] and h~.</li>
     * <li>Decoder backward: one step's gradients (dh, dc, dPre, dx, the attention's), garbage once the step is
     * done.</li>
     * <li>Output: h~ of every step and its gradient [T, B, H], the logits and their gradient [T B, V].</li>
     * <li>ND4J's descriptors of the arrays each decoder step keeps, {@link #DECODER_STEP_ARRAYS} bytes a step.</li>
     * </ul>
     * Against the peak of glibc's count of allocated bytes in training steps (float32, Adam, the JIT off so that the
     * compiler's own memory does not count, a full collection before each sample so that garbage does not), the
     * estimate was 1.07 to 1.30 times the measured, for LSTM, GRU and Elman cells, 1 and 2 layers, uni- and
     * bidirectional encoders, GENERAL, DOT and no attention, dropout 0 and 0.2, B 16 to 32, S 24 to 32, T 25 to 97.
     * Not counted here, because they are on the heap (spark.executor.memory): the attention's double copies of the
     * memory, keys and weights, and the loss's float and double copies of the logits (16 bytes per logit).
     */
    public static long seq2seqWorkingBytes(Seq2SeqSpec spec, int batch, int sourceSteps, int targetSteps,
            int optimizerVectors, int bytesPerValue) {
        if (batch <= 0 || sourceSteps <= 0 || targetSteps <= 0 || optimizerVectors < 0 || bytesPerValue <= 0) {
            throw new IllegalArgumentException("batch, sourceSteps, targetSteps and bytesPerValue must be positive and "
                    + "optimizerVectors >= 0, found " + batch + ", " + sourceSteps + ", " + targetSteps + ", "
                    + bytesPerValue + ", " + optimizerVectors);
        }
        long b = batch;
        long s = sourceSteps;
        long t = targetSteps;
        CellType cell = spec.cell();
        long he = spec.encoderHidden();
        long w = spec.encoderOutputWidth();
        long h = spec.decoderHidden();
        long dirs = spec.encoderDirections();
        long r = cell.hasCellState() ? 2 : 1;
        long dPre = cell == CellType.GRU ? 2 : 1;
        boolean attention = spec.attention() != Seq2SeqSpec.Attention.NONE;
        boolean dropout = spec.dropout() > 0;
        long values = new Seq2SeqModel(spec).layout().size() * (3L + optimizerVectors);

        long encoder = s * b + s * b * spec.sourceEmbedding() + s * b * w;
        long encoderBackward = 3 * s * b * w;
        long in = spec.sourceEmbedding();
        for (int l = 0; l < spec.encoderLayers(); l++) {
            encoder += dirs * (window(cell, s, b, he) + r * b * he) + (dirs == 2 ? s * b * w : 0)
                    + (l > 0 && dropout ? 2 * s * b * in : 0);
            encoderBackward += dirs * ((dirs == 2 ? s * b * he : 0) + dPre * s * b * cell.gates() * he + s * b * in
                    + 2 * b * he);
            in = w;
        }
        if (spec.attention() == Seq2SeqSpec.Attention.GENERAL) {
            encoder += s * b * h;
        }
        if (attention) {
            encoderBackward += 3 * s * b * h;
        }
        encoder += spec.decoderLayers() * b * (r * w + r * h + 2 * h);
        encoderBackward += spec.decoderLayers() * b * (2 * r * h + r * w);

        long step = b * spec.targetEmbedding() + (spec.inputFeeding() ? b * spec.decoderInputSize() : 0);
        long stepBackward = b * h + b * spec.targetEmbedding() + (spec.inputFeeding() ? b * h : 0);
        in = spec.decoderInputSize();
        for (int k = 0; k < spec.decoderLayers(); k++) {
            step += window(cell, 1, b, h) + (k > 0 && dropout ? 2 * b * in : 0);
            stepBackward += 2 * b * h + dPre * b * cell.gates() * h + b * in + 2 * b * h;
            in = h;
        }
        if (attention) {
            step += b * h + 3 * b * w + b * (w + h) + b * h;
            stepBackward += 4 * b * h + b * (w + h) + b * w + 2 * b * h + 3 * b * h;
        }
        long output = 2 * t * b * h + 2 * t * b * spec.targetVocab();
        values += encoder + encoderBackward + t * step + stepBackward + output;
        return values * bytesPerValue + t * DECODER_STEP_ARRAYS;
    }

    /**
     * A cell's window over {@code t} steps of {@code b} rows ({@code RecurrentCell.Window}): states and LSTM cells
     * [t+1, b, h], gate activations [t, b, G], the per-step projection of the LSTM and GRU [t, b, h], the GRU's
     * [b, G] scratch, and W_hh^T [h, G] for windows of more than one step.
     */
    private static long window(CellType cell, long t, long b, long h) {
        long g = cell.gates() * h;
        return (cell.hasCellState() ? 2 : 1) * (t + 1) * b * h + t * b * g + (cell == CellType.RNN_TANH ? 0 : t * b * h)
                + (cell == CellType.GRU ? b * g : 0) + (t > 1 ? h * g : 0);
    }

    static int stateVectors(OptimizerType t) {
        return switch (t) {
            case SGD -> 0;
            case MOMENTUM, NESTEROV -> 1;
            case ADAM, ADAMW -> 2;
        };
    }
}
