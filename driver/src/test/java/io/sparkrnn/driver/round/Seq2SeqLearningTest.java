package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.corpus.pairs.EncodedPair;
import io.sparkrnn.driver.corpus.pairs.PairBatching;
import io.sparkrnn.driver.corpus.pairs.PairPartition;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.seq2seq.Seq2SeqEvaluation;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import io.sparkrnn.engine.train.TbpttConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Grapheme-to-phoneme learning through the round loop on local[2], with a fixed step count (not timed): the
 * CMUdict sample as the seq2seq task reads it ({@code PairReader.cmudict} without alternates: 5,705 words; the
 * phones keep their stress digits, {@value #PHONES} symbols plus the 4 specials), one word in ten held out by a
 * hash of the word. An LSTM encoder-decoder (embeddings 32, hidden 64, GENERAL attention, input feeding) on 2
 * partitions of batches of 32 words, Adam at 3e-3 with local clip 1.0, H = {@value #H} local steps, the averaged
 * inner state (policy AVERAGE), plain averaging, {@value #ROUNDS} rounds. Phoneme error rate (PER) by greedy
 * decoding of the held-out words.
 *
 * <p>Measured (2 shared cores, 520 held-out words, 3,345 phones): untrained PER 2.32 (WER 1.0); after 30 rounds
 * PER 0.365 (1,221 edits), WER 0.854; after 40 rounds PER 0.326, WER 0.817 (the per-round losses of the two
 * runs agree to the last digit: the run is deterministic). Batching: 82 + 81 batches, 38,637 / 38,419 tokens,
 * padding share 0.067. Training takes 31 s on a quiet machine and 60 s (40 rounds) under load; the whole test
 * 40 to 70 s. The bounds leave a margin for numeric differences between machines.
 */
class Seq2SeqLearningTest {
    static final int PHONES = 69;             // distinct stressed phone symbols in the sample
    static final int B = 32;                  // words per batch
    static final int H = 10;                  // local steps per round
    static final int ROUNDS = 30;             // rounds: 300 inner steps per partition
    static final double MAX_PER = 0.45;       // held-out PER after training; measured 0.365
    static final double MAX_RATIO = 0.3;      // trained PER / untrained PER; measured 0.157

    @Test
    void heldOutPhonemeErrorRateFallsFarBelowTheUntrainedModel() {
        JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]")
                .setAppName("seq2seq-learning-test").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1"));
        sc.setLogLevel("WARN");
        try {
            long t0 = System.nanoTime();
            Seq2SeqFixtures.Cmudict d = Seq2SeqFixtures.cmudict(sc);
            Seq2SeqSpec spec = Seq2SeqFixtures.spec(d, 32, 64, false);
            JavaRDD<PairPartition> parts = PairBatching.partitions(d.train(), new Batching.Options(B, 32, true, 2, 5), 0);
            Batching.Stats stats = PairBatching.stats(parts);
            List<EncodedPair> held = d.heldOut().collect();
            List<int[]> src = new ArrayList<>();
            List<int[]> ref = new ArrayList<>();
            for (EncodedPair p : held) {
                src.add(p.source());
                ref.add(Arrays.copyOfRange(p.target(), 1, p.target().length - 1));
            }
            System.out.printf(Locale.ROOT, "cmudict round loop: %d letters, %d phones (with specials), %d held-out "
                    + "words; batches per partition %s, tokens %s, padding share mean %.3f%n", d.letters().size(),
                    d.phones().size(), held.size(), Arrays.toString(stats.batches()), Arrays.toString(stats.tokens()),
                    stats.meanPaddingShare());
            assertEquals(PHONES + 4, d.phones().size(), "phone vocabulary");

            Seq2SeqModel model = new Seq2SeqModel(spec);
            FlatParams params = model.initParams(1234, DataType.FLOAT);
            Seq2SeqEvaluation.ErrorRates before = Seq2SeqEvaluation.greedy(model, params, src, ref, 256);
            ReplicaSetup setup = new ReplicaSetup(spec, OptimizerConfig.adam(), LrSchedule.constant(3e-3),
                    new TbpttConfig(1, 1, ClipConfig.byNorm(1.0), 1234));
            RoundConfig cfg = RoundConfig.defaults(H).withInnerState(InnerStatePolicy.AVERAGE);
            long t1 = System.nanoTime();
            try (RoundTrainer t = new RoundTrainer(sc, setup, cfg, params.flat().toFloatVector())) {
                t.train(parts, ROUNDS, m -> {
                    if ((m.round() + 1) % 10 == 0) {
                        System.out.println("cmudict " + m.toConsole(ROUNDS));
                    }
                });
                params.flat().assign(Nd4j.createFromArray(t.params()));
            }
            double trainSeconds = (System.nanoTime() - t1) / 1e9;
            Seq2SeqEvaluation.ErrorRates after = Seq2SeqEvaluation.greedy(model, params, src, ref, 256);
            System.out.printf(Locale.ROOT, "cmudict round loop: held-out PER %.4f (%d edits / %d phones), WER %.4f "
                    + "after %d rounds x H=%d on 2 partitions; untrained PER %.4f, WER %.4f; %.1f s training, "
                    + "%.1f s in all%n", after.tokenErrorRate(), after.edits(), after.referenceTokens(),
                    after.sequenceErrorRate(), ROUNDS, H, before.tokenErrorRate(), before.sequenceErrorRate(),
                    trainSeconds, (System.nanoTime() - t0) / 1e9);
            assertTrue(after.tokenErrorRate() <= MAX_PER, "held-out PER " + after.tokenErrorRate() + " above "
                    + MAX_PER);
            assertTrue(after.tokenErrorRate() <= MAX_RATIO * before.tokenErrorRate(), "held-out PER "
                    + after.tokenErrorRate() + " not at most " + MAX_RATIO + " x the untrained "
                    + before.tokenErrorRate());
        } finally {
            sc.stop();
        }
    }
}
