package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.OptimizerType;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import io.sparkrnn.engine.tensor.Bf16Products;
import io.sparkrnn.engine.tensor.Precision;
import org.apache.spark.SparkConf;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ExecutorMemoryTest {
    static final SequenceModel LM = new SequenceModel(SequenceSpec.languageModel(80, 32, CellType.LSTM, 256, 1, 0));
    /** conf/cmudict-g2p.conf's model on the sample's vocabularies (characters in, ARPAbet phones out). */
    static final Seq2SeqSpec G2P = new Seq2SeqSpec(31, 45, 32, 32, CellType.LSTM, 64, 1, false, 64, 1, 0.0,
            Attention.GENERAL, true, 0, 1, 2, 32, 3.0);

    @Test
    void budgetIsTheMemoryOverheadLessTheReserve() {
        assertEquals((1024L << 20) - ExecutorMemory.RESERVE,
                ExecutorMemory.budget(new SparkConf(false).set("spark.executor.memoryOverhead", "1g")));
        // default overhead: max(384 MiB, 10% of executor memory)
        assertEquals((long) ((8192L << 20) * 0.10) - ExecutorMemory.RESERVE,
                ExecutorMemory.budget(new SparkConf(false).set("spark.executor.memory", "8g")));
        assertEquals((384L << 20) - ExecutorMemory.RESERVE, ExecutorMemory.budget(new SparkConf(false)));
    }

    @Test
    void replicaEstimateGrowsWithTheWindow() {
        long small = LM.workingBytes(32, 64, 2, 4);
        long big = LM.workingBytes(128, 64, 2, 4);
        long params = LM.layout().size() * 4L;
        assertTrue(small > 5 * params, "parameters, gradients, Adam's two moments and a work vector at least");
        assertTrue(big > 3 * (small - 5 * params), "activations scale with the batch");
    }

    @Test
    void replicasThatDoNotFitAreAClearErrorAndFittingOnesSetJavacppLimits() {
        SparkConf tight = new SparkConf(false).set("spark.master", "spark://h:7077")
                .set("spark.executor.memoryOverhead", "300m").set("spark.executor.cores", "4");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExecutorMemory.configure(tight, LM, OptimizerType.ADAM, 256, 256));
        assertTrue(e.getMessage().contains("raise spark.executor.memoryOverhead"), e.getMessage());
        SparkConf ok = new SparkConf(false).set("spark.master", "spark://h:7077")
                .set("spark.executor.memoryOverhead", "2g").set("spark.executor.cores", "2");
        ExecutorMemory.configure(ok, LM, OptimizerType.ADAM, 32, 64);
        assertTrue(ok.get("spark.executor.extraJavaOptions").contains("-Dorg.bytedeco.javacpp.maxbytes="
                + ((2048L << 20) - ExecutorMemory.RESERVE)), ok.get("spark.executor.extraJavaOptions"));
    }

    /**
     * The check takes the model of the data: the README's char LM (80 characters, LSTM 128, batch 32, k1 64) fits
     * the 128 MiB a 1 GiB executor leaves (scripts/cluster-smoke.sh), where the 65,536 characters it could have had
     * would not; the JavaCPP limits are set without a model, and local mode is left alone.
     */
    @Test
    void replicasAreCheckedForTheModelOfTheDataAndLimitsNeedNoModel() {
        SparkConf small = new SparkConf(false).set("spark.master", "spark://h:7077").set("spark.executor.memory", "1g")
                .set("spark.executor.cores", "1");
        SequenceModel chars = new SequenceModel(SequenceSpec.languageModel(80, 32, CellType.LSTM, 128, 1, 0));
        ExecutorMemory.checkReplicas(small, chars, OptimizerType.ADAM, 32, 64);
        SequenceModel bmp = new SequenceModel(SequenceSpec.languageModel(1 << 16, 32, CellType.LSTM, 128, 1, 0));
        assertThrows(IllegalArgumentException.class,
                () -> ExecutorMemory.checkReplicas(small, bmp, OptimizerType.ADAM, 32, 64));
        ExecutorMemory.setLimits(small);
        assertTrue(small.get("spark.executor.extraJavaOptions").contains("-Dorg.bytedeco.javacpp.maxbytes="
                + ((384L << 20) - ExecutorMemory.RESERVE)), small.get("spark.executor.extraJavaOptions"));
        SparkConf local = new SparkConf(false).set("spark.master", "local[2]").set("spark.executor.memory", "1g");
        ExecutorMemory.checkReplicas(local, bmp, OptimizerType.ADAM, 32, 64);
        ExecutorMemory.setLimits(local);
        assertTrue(!local.contains("spark.executor.extraJavaOptions"));
    }

    /** Each engine thread beyond the first adds two parameter-sized vectors to a task's working memory. */
    @Test
    void engineThreadsAddTheirGradientVectors() {
        long params = LM.layout().size() * 4L;
        long one = LM.workingBytes(32, 64, 2, 4);
        // a budget of one thread's need plus 3 parameter vectors (less the rounding down to MiB)
        long overhead = (one + 3 * params) + ExecutorMemory.RESERVE;
        SparkConf conf = new SparkConf(false).set("spark.master", "spark://h:7077").set("spark.executor.cores", "1")
                .set("spark.executor.memoryOverhead", (overhead >> 20) + "m");
        ExecutorMemory.checkReplicas(conf, LM, OptimizerType.ADAM, 32, 64, 1);
        ExecutorMemory.checkReplicas(conf, LM, OptimizerType.ADAM, 32, 64, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExecutorMemory.checkReplicas(conf, LM, OptimizerType.ADAM, 32, 64, 4));
        assertTrue(e.getMessage().contains("MiB each"), e.getMessage());
    }

    /**
     * Spark reads a unitless spark.executor.memory as MiB: 4096 is a 4 GiB heap, whose default overhead is 10% of it
     * and whose JavaCPP cap on the resident size is heap + overhead (not 4096 bytes + 384 MiB).
     */
    @Test
    void aUnitlessExecutorMemoryIsMebibytes() {
        SparkConf conf = new SparkConf(false).set("spark.master", "spark://h:7077")
                .set("spark.executor.memory", "4096");
        long overhead = (long) ((4096L << 20) * 0.10);
        assertEquals(overhead - ExecutorMemory.RESERVE, ExecutorMemory.budget(conf));
        assertEquals(ExecutorMemory.budget(new SparkConf(false).set("spark.executor.memory", "4g")),
                ExecutorMemory.budget(conf));
        ExecutorMemory.setLimits(conf);
        assertTrue(conf.get("spark.executor.extraJavaOptions").contains("-Dorg.bytedeco.javacpp.maxphysicalbytes="
                + ((4096L << 20) + overhead)), conf.get("spark.executor.extraJavaOptions"));
    }

    /** An overhead that does not exceed the native libraries' reserve is refused; no negative limit is passed on. */
    @Test
    void anOverheadNotAboveTheReserveIsRefused() {
        for (String overhead : new String[] {"200m", "256m"}) {
            SparkConf conf = new SparkConf(false).set("spark.master", "spark://h:7077")
                    .set("spark.executor.memoryOverhead", overhead).set("spark.executor.cores", "1");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ExecutorMemory.setLimits(conf));
            assertTrue(e.getMessage().contains("spark.executor.memoryOverhead") && e.getMessage().contains("256 MiB"),
                    e.getMessage());
            assertFalse(conf.contains("spark.executor.extraJavaOptions"),
                    conf.get("spark.executor.extraJavaOptions", ""));
            assertThrows(IllegalArgumentException.class,
                    () -> ExecutorMemory.checkReplicas(conf, LM, OptimizerType.SGD, 1, 1));
        }
    }

    /**
     * Without spark.executor.cores a standalone executor takes every free core of its worker, so one concurrent task
     * is not assumed: the check asks for the key (or spark.cores.max, which bounds an executor's cores). local-cluster
     * names its executors' cores; YARN and Kubernetes give one core by default.
     */
    @Test
    void executorCoresAreNotAssumedWhereTheMasterDecidesThem() {
        long one = LM.workingBytes(32, 64, 2, 4);
        // room for one and a half replicas
        String overhead = ((one * 3 / 2 + ExecutorMemory.RESERVE) >> 20) + "m";
        SparkConf conf = new SparkConf(false).set("spark.master", "spark://h:7077")
                .set("spark.executor.memoryOverhead", overhead);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExecutorMemory.checkReplicas(conf, LM, OptimizerType.ADAM, 32, 64));
        assertTrue(e.getMessage().contains("spark.executor.cores is not set") && e.getMessage().contains("1 replica"),
                e.getMessage());
        ExecutorMemory.checkReplicas(conf.clone().set("spark.executor.cores", "1"), LM, OptimizerType.ADAM, 32, 64);
        assertThrows(IllegalArgumentException.class, () -> ExecutorMemory.checkReplicas(
                conf.clone().set("spark.executor.cores", "2"), LM, OptimizerType.ADAM, 32, 64));
        ExecutorMemory.checkReplicas(conf.clone().set("spark.cores.max", "1"), LM, OptimizerType.ADAM, 32, 64);
        assertThrows(IllegalArgumentException.class, () -> ExecutorMemory.checkReplicas(
                conf.clone().set("spark.cores.max", "4"), LM, OptimizerType.ADAM, 32, 64));
        // two cores per task: one task on a 2-core executor
        ExecutorMemory.checkReplicas(conf.clone().set("spark.cores.max", "4").set("spark.executor.cores", "2")
                .set("spark.task.cpus", "2"), LM, OptimizerType.ADAM, 32, 64);
        assertThrows(IllegalArgumentException.class, () -> ExecutorMemory.checkReplicas(
                conf.clone().set("spark.master", "local-cluster[2,2,1024]"), LM, OptimizerType.ADAM, 32, 64));
        ExecutorMemory.checkReplicas(conf.clone().set("spark.master", "local-cluster[2, 1, 1024]"), LM,
                OptimizerType.ADAM, 32, 64);
        ExecutorMemory.checkReplicas(conf.clone().set("spark.master", "yarn"), LM, OptimizerType.ADAM, 32, 64);
        ExecutorMemory.checkReplicas(conf.clone().set("spark.master", "k8s://https://h:6443"), LM, OptimizerType.ADAM,
                32, 64);
        // a replica that does not fit alone is the usual error, whatever the cores
        SparkConf tiny = new SparkConf(false).set("spark.master", "spark://h:7077")
                .set("spark.executor.memoryOverhead", "257m");
        IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
                () -> ExecutorMemory.checkReplicas(tiny, LM, OptimizerType.ADAM, 32, 64));
        assertTrue(alone.getMessage().contains("raise spark.executor.memoryOverhead"), alone.getMessage());
    }

    /**
     * The encoder-decoder estimate worked by hand for an Elman RNN without attention (E = 2, H = 3, V_s = 5, V_t = 6,
     * B = 1, S = 2, T = 2, SGD, 1-byte values): P = 10 + 21 + 12 + 12 + 21 + 24 = 100 parameters, 3 P = 300 for
     * parameters, gradients and the work vector; encoder 51 (mask 2, embeddings 4, memory 6, window 24 = states 9 +
     * activations 6 + W_hh^T 9, initial state 3, bridge 12); encoder backward 43 (dM 18, dPre 6, dx 4, dh 6, bridge 9);
     * per decoder step 11 (embedding 2, one-step window 9), one step's backward 22; output 36 (h~ and its gradient
     * 12, logits and their gradient 24); and the arrays' descriptors of 2 decoder steps.
     */
    @Test
    void seq2seqEstimateByHand() {
        Seq2SeqSpec tiny = new Seq2SeqSpec(5, 6, 2, 2, CellType.RNN_TANH, 3, 1, false, 3, 1, 0.0, Attention.NONE, false,
                0, 1, 2, 10, 2.0);
        assertEquals(100, new Seq2SeqModel(tiny).layout().size());
        assertEquals(300 + 51 + 43 + 2 * 11 + 22 + 36 + 2 * ExecutorMemory.DECODER_STEP_ARRAYS,
                ExecutorMemory.seq2seqWorkingBytes(tiny, 1, 2, 2, 0, 1));
    }

    /** The estimate grows with what a step keeps: the batch, the target steps and the logits of the vocabulary. */
    @Test
    void seq2seqEstimateGrowsWithTheBatchTheTargetsAndTheVocabulary() {
        long params = new Seq2SeqModel(G2P).layout().size() * 4L;
        long base = ExecutorMemory.seq2seqWorkingBytes(G2P, 32, 32, 33, 2, 4);
        assertTrue(base > 5 * params, "parameters, gradients, Adam's two moments and a work vector at least");
        long twice = ExecutorMemory.seq2seqWorkingBytes(G2P, 64, 32, 33, 2, 4);
        assertTrue(twice - 5 * params > 1.9 * (base - 5 * params), "activations scale with the batch: " + base + " "
                + twice);
        assertTrue(ExecutorMemory.seq2seqWorkingBytes(G2P, 32, 32, 97, 2, 4) > base + 64L * 32 * 64 * 4 * 4,
                "each target step keeps at least the decoder's states, cells, gates and h~");
        Seq2SeqSpec words = new Seq2SeqSpec(31, 10_045, 32, 32, CellType.LSTM, 64, 1, false, 64, 1, 0.0,
                Attention.GENERAL, true, 0, 1, 2, 32, 3.0);
        long more = (new Seq2SeqModel(words).layout().size() - new Seq2SeqModel(G2P).layout().size()) * 4L;
        assertTrue(ExecutorMemory.seq2seqWorkingBytes(words, 32, 32, 33, 2, 4) - base >= 5 * more
                + 2L * 33 * 32 * 10_000 * 4, "the logits and their gradient, [T B, V] each");
    }

    /**
     * Encoder-decoder replicas are checked at the longest source the data keeps and the longest output decoding
     * allows (3 x 32 + 1 end token for the G2P model): 4 concurrent Adam replicas of batch 256 (176 MiB
     * each) do not fit a 768 MiB overhead, 2 of batch 32 do; local mode is left alone.
     */
    @Test
    void seq2seqReplicasAreChecked() {
        SparkConf conf = new SparkConf(false).set("spark.master", "spark://h:7077").set("spark.executor.cores", "4")
                .set("spark.executor.memoryOverhead", "768m");
        long each = ExecutorMemory.seq2seqWorkingBytes(G2P, 256, 32, 97, 2, 4);
        assertTrue(4 * each > (768L << 20) - ExecutorMemory.RESERVE, "the case must not fit: " + (each >> 20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExecutorMemory.checkReplicas(conf, G2P, OptimizerType.ADAM, 256));
        assertTrue(e.getMessage().contains((each >> 20) + " MiB each")
                && e.getMessage().contains("decode.max-length-ratio"), e.getMessage());
        ExecutorMemory.checkReplicas(conf.clone().set("spark.executor.cores", "2"), G2P, OptimizerType.ADAM, 32);
        ExecutorMemory.checkReplicas(conf.clone().set("spark.master", "local[4]"), G2P, OptimizerType.ADAM, 256);
    }

    /**
     * bf16 products, worked by hand for an LSTM language model (V = 10, E = 8, H = 20, one layer): P = 80 (embedding)
     * + 640 (W_ih [80, 8]) + 1600 (W_hh [80, 20]) + 160 (biases) + 200 (head [10, 20]) + 10 = 2690 parameters, a
     * 5380-byte mirror; per engine thread each weight matrix packed as W^T and as W, k rounded up to 32 and n to 64:
     * W_ih 32 x 128 + 96 x 64, W_hh 32 x 128 + 96 x 64, head 32 x 64 + 32 x 64 values, 24,576 values = 49,152 bytes.
     */
    @Test
    void bf16AddsTheMirrorAndEachThreadsPackedWeights() {
        SequenceModel lm = new SequenceModel(SequenceSpec.languageModel(10, 8, CellType.LSTM, 20, 1, 0));
        assertEquals(2690, lm.layout().size());
        long perThread = 2 * ((32 * 128 + 96 * 64) + (32 * 128 + 96 * 64) + (32 * 64 + 32 * 64));
        assertEquals(49_152, perThread);
        assertEquals(5380 + perThread, ExecutorMemory.bf16Bytes(lm.layout(), 1));
        assertEquals(5380 + 2 * perThread, ExecutorMemory.bf16Bytes(lm.layout(), 2));

        // The check counts them in bf16 only: LM's bf16 share (a 2 P mirror and its W_ih [1024, 32], W_hh
        // [1024, 256] and head [80, 256] packed twice, 1.9 MiB) does not fit a budget that fits the float32 replica
        // with at most 1 MiB to spare.
        long f32 = LM.workingBytes(32, 64, 2, 4);
        long bf16 = ExecutorMemory.bf16Bytes(LM.layout(), 1);
        assertTrue(bf16 > 1L << 20, "the case must not fit in bf16: " + bf16);
        SparkConf conf = new SparkConf(false).set("spark.master", "spark://h:7077").set("spark.executor.cores", "1")
                .set("spark.executor.memoryOverhead", (((f32 + ExecutorMemory.RESERVE) >> 20) + 1) + "m");
        ExecutorMemory.checkReplicas(conf, LM, OptimizerType.ADAM, 32, 64, 1, Precision.FLOAT32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExecutorMemory.checkReplicas(conf, LM, OptimizerType.ADAM, 32, 64, 1, Precision.BF16));
        assertTrue(e.getMessage().contains(((f32 + bf16) >> 20) + " MiB each"), e.getMessage());
    }

    /** The packed size the estimate assumes is oneDNN's own, where oneDNN runs bf16 products. */
    @Test
    void packedBytesAreOneDnnsWeightsLayout() {
        Assumptions.assumeTrue(Bf16Products.available(), "no bf16 units on this CPU (" + Bf16Products.isa() + ")");
        engine eng = new engine(engine.kind.cpu, 0);
        for (int[] kn : new int[][] {{8, 80}, {80, 8}, {20, 10}, {129, 17}, {300, 1000}, {256, 1024}}) {
            for (int m : new int[] {16, 1283}) {
                memory.desc a = new memory.desc(new long[] {m, kn[0]}, memory.data_type.bf16, new long[] {kn[0], 1});
                memory.desc b = new memory.desc(new long[] {kn[0], kn[1]}, memory.data_type.bf16,
                        memory.format_tag.any);
                memory.desc c = new memory.desc(new long[] {m, kn[1]}, memory.data_type.f32, new long[] {kn[1], 1});
                matmul.primitive_desc pd = new matmul.primitive_desc(new matmul.desc(a, b, c), new primitive_attr(),
                        eng);
                assertEquals(pd.weights_desc().get_size(), ExecutorMemory.packedBf16Bytes(kn[0], kn[1]),
                        "k " + kn[0] + ", n " + kn[1] + ", m " + m);
            }
        }
    }
}
