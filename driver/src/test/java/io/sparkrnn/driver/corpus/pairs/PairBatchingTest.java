package io.sparkrnn.driver.corpus.pairs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.engine.seq2seq.Seq2SeqBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Seq2seq batches from the CMUdict sample: bucketing, balance, a pure function of the step, every pair seen. */
class PairBatchingTest extends SparkCorpusTest {
    static final int B = 32;
    static JavaRDD<EncodedPair> pairs;
    static long rows;

    @BeforeAll
    static void encode() {
        Corpus<TextPair> c = PairReader.cmudict(sc, sample("cmudict/cmudict-sample.txt"), false, 0.0);
        Vocabulary letters = Vocabulary.fit(c.records().flatMap(p -> List.of(p.source()).iterator()), 1, 1000);
        Vocabulary phones = Vocabulary.fit(c.records().flatMap(p -> List.of(p.target()).iterator()), 1, 1000);
        pairs = EncodedPair.encode(c.records(), letters, phones).cache();
        rows = pairs.count();
    }

    static Batching.Stats measure(boolean bucket, int partitions) {
        JavaRDD<PairPartition> parts = PairBatching.partitions(pairs, new Batching.Options(B, 32, bucket, partitions,
                7));
        Batching.Stats s = PairBatching.stats(parts);
        System.out.printf("CMUdict pairs, B=%d, chunks of 32 batches, %d partitions, bucketing %s: %d batches, "
                + "padding share mean %.4f max %.4f; tokens per partition %s, max/min %.4f%n", B, partitions,
                bucket ? "on" : "off", Arrays.stream(s.batches()).sum(), s.meanPaddingShare(), s.maxPaddingShare(),
                Arrays.toString(s.tokens()), s.imbalance());
        parts.unpersist(false);
        return s;
    }

    @Test
    void bucketingCutsPaddingAndPartitionsAreBalanced() {
        Batching.Stats plain = measure(false, 2);
        Batching.Stats bucketed = measure(true, 2);
        Batching.Stats three = measure(true, 3);
        // 5,705 pairs in chunks of 32 * 32 = 1024: 5 full chunks of 32 batches, then ceil(585 / 32) = 19
        assertEquals(5705, rows);
        assertEquals(179, PairBatching.batchesOf(rows, new Batching.Options(B, 32, true, 2, 7)));
        assertEquals(179, Arrays.stream(bucketed.batches()).sum());
        assertTrue(bucketed.meanPaddingShare() <= 0.10, "padding " + bucketed.meanPaddingShare());
        assertTrue(plain.meanPaddingShare() > 0.25, "padding without bucketing " + plain.meanPaddingShare());
        assertTrue(bucketed.imbalance() <= 1.02, "imbalance " + bucketed.imbalance());
        assertTrue(three.imbalance() <= 1.02, "imbalance " + three.imbalance());
    }

    @Test
    void batchesAreAPureFunctionOfDataSeedAndStepAndEveryPairIsSeen() {
        Batching.Options o = new Batching.Options(B, 32, true, 2, 11);
        List<PairPartition> a = PairBatching.partitions(pairs, o).collect();
        List<PairPartition> b = PairBatching.partitions(pairs, o).collect();
        Set<String> seen = new HashSet<>();
        for (int p = 0; p < 2; p++) {
            PairPartition x = a.get(p);
            long n = x.batchesPerEpoch();
            for (long step = 0; step < 2 * n; step++) {
                Seq2SeqBatch u = x.batch(step);
                Seq2SeqBatch v = b.get(p).batch(step);
                assertEquals(B, u.batchSize());
                assertTrue(x.startsSequence(step));
                for (int r = 0; r < B; r++) {
                    assertArrayEquals(u.sources().get(r), v.sources().get(r));
                    assertArrayEquals(u.targets().get(r), v.targets().get(r));
                    int[] t = u.targets().get(r);
                    assertTrue(t.length >= 1 && Arrays.stream(t).allMatch(id -> id > Vocabulary.EOS_ID),
                            "stored targets hold y_1 .. y_n only: " + Arrays.toString(t));
                    seen.add(Arrays.toString(u.sources().get(r)) + Arrays.toString(t));
                }
            }
            // epoch 1 visits the same batches as epoch 0, in another order
            List<String> e0 = new ArrayList<>();
            List<String> e1 = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                e0.add(Arrays.deepToString(x.batch(k).sources().toArray()));
                e1.add(Arrays.deepToString(x.batch(n + k).sources().toArray()));
            }
            assertFalse(e0.equals(e1), "epoch 1 has epoch 0's order");
            assertTrue(new HashSet<>(e0).equals(new HashSet<>(e1)), "epoch 1 visits other batches than epoch 0");
        }
        Set<String> all = new HashSet<>(pairs.map(q -> Arrays.toString(q.source())
                + Arrays.toString(Arrays.copyOfRange(q.target(), 1, q.target().length - 1))).collect());
        assertEquals(rows, all.size());
        assertTrue(all.equals(seen), "every pair is in some batch: " + all.size() + " pairs, " + seen.size() + " seen");
    }

    @Test
    void unframedTargetsAreRefused() {
        JavaRDD<EncodedPair> bad = sc.parallelize(List.of(new EncodedPair(new int[] {5, 6}, new int[] {7, 8})));
        SparkException e = assertThrows(SparkException.class, () -> PairBatching.partitions(bad,
                new Batching.Options(1, 1, true, 1, 1)));
        assertTrue(e.getMessage().contains("framed <bos> y_1 .. y_n <eos>"), e.getMessage());
    }
}
