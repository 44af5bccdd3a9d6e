package io.sparkrnn.driver.corpus.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.classify.ClassificationReader;
import io.sparkrnn.driver.corpus.classify.LabelledText;
import io.sparkrnn.driver.corpus.tagging.TaggedSentence;
import io.sparkrnn.driver.corpus.tagging.TaggingReader;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.round.ReplicaSetup;
import io.sparkrnn.driver.round.RoundConfig;
import io.sparkrnn.driver.round.RoundMetrics;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.train.TbpttConfig;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class BatchingTest extends SparkCorpusTest {
    static final int B = 32;
    static JavaRDD<Encoded> brown;
    static Vocabulary words;
    static Vocabulary tags;

    @BeforeAll
    static void encodeBrown() {
        Corpus<TaggedSentence> c = TaggingReader.brown(sc, BROWN, true, 0.0);
        words = Vocabulary.fit(c.records().flatMap(s -> List.of(s.tokens()).iterator()), 2, 50_000);
        tags = Vocabulary.fit(c.records().flatMap(s -> List.of(s.tags()).iterator()), 1, 1000, List.of());
        brown = Encoded.tagging(c.records(), words, tags).cache();
    }

    static Batching.Stats measure(boolean bucket, int partitions) {
        var parts = Batching.aligned(brown, new Batching.Options(B, 64, bucket, partitions, 7), 0, -100);
        Batching.Stats s = Batching.stats(parts);
        long batches = Arrays.stream(s.batches()).sum();
        System.out.printf("Brown sample, B=%d, chunks of 64 batches, %d partitions, bucketing %s: %d batches, "
                + "padding share per batch mean %.4f max %.4f; tokens per partition %s, max/min %.4f%n", B, partitions,
                bucket ? "on" : "off", batches, s.meanPaddingShare(), s.maxPaddingShare(),
                Arrays.toString(s.tokens()), s.imbalance());
        parts.unpersist(false);
        return s;
    }

    @Test
    void bucketingCutsPaddingAndPartitionsAreBalanced() {
        Batching.Stats plain = measure(false, 2);
        Batching.Stats bucketed = measure(true, 2);
        Batching.Stats four = measure(true, 4);
        // 2,876 sentences in chunks of 64 * 32 = 2048 rows: 64 + 26 batches (the last holds 4 repeated rows)
        assertEquals(90, Arrays.stream(bucketed.batches()).sum());
        long tokens = Arrays.stream(bucketed.tokens()).sum();
        assertTrue(tokens >= 57888 && tokens < 57888 + 4 * 200, "tokens " + tokens);
        assertTrue(bucketed.meanPaddingShare() <= 0.10, "padding " + bucketed.meanPaddingShare());
        assertTrue(plain.meanPaddingShare() > 0.4, "padding without bucketing " + plain.meanPaddingShare());
        assertTrue(bucketed.imbalance() <= 1.05, "imbalance " + bucketed.imbalance());
        assertTrue(four.imbalance() <= 1.05, "imbalance " + four.imbalance());
    }

    @Test
    void batchesAreAPureFunctionOfDataSeedAndStepAndReshuffledPerEpoch() {
        var o = new Batching.Options(B, 64, true, 2, 11);
        List<SequencePartition> a = Batching.aligned(brown, o, 0, -100).collect();
        List<SequencePartition> b = Batching.aligned(brown, o, 0, -100).collect();
        SequencePartition p = a.get(0);
        long n = p.batchesPerEpoch();
        for (long step = 0; step < 2 * n; step += 7) {
            SequenceBatch x = p.batch(step);
            SequenceBatch y = b.get(0).batch(step);
            assertArrayEquals(x.tokens(), y.tokens());
            assertArrayEquals(x.targets(), y.targets());
            assertEquals(B, x.batchSize());
            assertTrue(p.startsSequence(step));
        }
        // epoch 1 visits the same batches as epoch 0, in another order
        boolean sameOrder = true;
        long[] e0 = new long[(int) n];
        long[] e1 = new long[(int) n];
        for (int k = 0; k < n; k++) {
            e0[k] = Arrays.hashCode(p.batch(k).tokens());
            e1[k] = Arrays.hashCode(p.batch(n + k).tokens());
            sameOrder &= e0[k] == e1[k];
        }
        assertFalse(sameOrder);
        Arrays.sort(e0);
        Arrays.sort(e1);
        assertArrayEquals(e0, e1);
        // targets stay aligned with their words: padding carries the ignore index
        SequenceBatch first = p.batch(0);
        for (int r = 0; r < B; r++) {
            for (int t = 0; t < first.steps(); t++) {
                boolean pad = t >= first.lengths()[r];
                assertEquals(pad, first.targets()[t * B + r] == -100);
            }
        }
    }

    @Test
    void taggerTrainsOnTheseBatchesInTheRoundLoop() {
        SequenceSpec spec = SequenceSpec.tagger(words.size(), 16, Vocabulary.PAD_ID, CellType.GRU, 16, 1, true, 0.0,
                tags.size());
        var parts = Batching.aligned(brown, new Batching.Options(B, 64, true, 2, 3), 0, spec.ignoreIndex());
        ReplicaSetup setup = new ReplicaSetup(spec, OptimizerConfig.sgd(), LrSchedule.constant(0.5),
                new TbpttConfig(200, 200, ClipConfig.none(), 1));
        float[] init = new SequenceModel(spec).initParams(5, DataType.FLOAT).flat().data().asFloat();
        try (RoundTrainer t = new RoundTrainer(sc, setup, RoundConfig.defaults(4), init)) {
            List<RoundMetrics> ms = t.train(parts, 6, m -> { });
            double first = ms.get(0).trainLoss();
            double last = ms.get(ms.size() - 1).trainLoss();
            System.out.println("tagger on Brown batches: loss " + first + " -> " + last);
            assertTrue(Double.isFinite(last) && last < first, first + " -> " + last);
        }
    }

    @Test
    void spamAssassinPooledBatches() {
        Corpus<LabelledText> c = ClassificationReader.folders(sc, sample("spam-assassin"),
                SPAM_FOLDERS, 0.0);
        Vocabulary v = Vocabulary.fit(c.records().flatMap(d -> List.of(TokenUnit.WORDS.split(d.text())).iterator()), 2,
                20_000);
        Vocabulary labels = Vocabulary.fit(c.records().map(LabelledText::label), 1, 10, List.of());
        assertEquals(List.of("ham", "spam"), labels.tokens());
        var parts = Batching.pooled(Encoded.classification(c.records(), TokenUnit.WORDS::split, v, labels),
                new Batching.Options(16, 64, true, 2, 5), Vocabulary.PAD_ID);
        Batching.Stats s = Batching.stats(parts);
        System.out.printf("SpamAssassin: %s batches of 16, tokens %s, padding share mean %.4f%n",
                Arrays.toString(s.batches()), Arrays.toString(s.tokens()), s.meanPaddingShare());
        // 450 documents: 29 batches of 16 (14 rows repeated)
        assertEquals(29, Arrays.stream(s.batches()).sum());
        SequenceBatch b = parts.first().batch(0);
        assertFalse(b.perStepTargets());
        assertEquals(16, b.targets().length);
    }
}
