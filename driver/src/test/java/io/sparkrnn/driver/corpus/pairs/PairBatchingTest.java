package io.sparkrnn.driver.corpus.pairs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.engine.seq2seq.Seq2SeqBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

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
                7), 0);
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
        List<PairPartition> a = PairBatching.partitions(pairs, o, 0).collect();
        List<PairPartition> b = PairBatching.partitions(pairs, o, 0).collect();
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

    /** SHA-256 over every partition's batches of one epoch in step order: the sources and targets of each row. */
    static String fingerprint(List<PairPartition> parts) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (int p = 0; p < parts.size(); p++) {
            PairPartition x = parts.get(p);
            for (long step = 0; step < x.batchesPerEpoch(); step++) {
                Seq2SeqBatch u = x.batch(step);
                md.update((p + "/" + step + ":" + Arrays.deepToString(u.sources().toArray()) + "->"
                        + Arrays.deepToString(u.targets().toArray()) + ";").getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void fixedSizeBatchesAreThoseOfBeforeTokenBatching() {
        // the digest of the batches that PairBatching made before train.batch-tokens existed
        Batching.Options o = new Batching.Options(B, 32, true, 2, 11);
        assertEquals("e51198470e6b40bd55f4daae153d07b82a25d5b24cf125f9570df7fa322dcaee",
                fingerprint(PairBatching.partitions(pairs, o, 0).collect()));
    }

    /** A framed pair with a source of {@code s} ids and a target of {@code n} words (n + 1 decoder steps). */
    static EncodedPair pair(int s, int n, int tag) {
        int[] src = new int[s];
        Arrays.fill(src, 10 + tag);
        int[] tgt = new int[n + 2];
        Arrays.fill(tgt, 10 + tag);
        tgt[0] = Vocabulary.BOS_ID;
        tgt[n + 1] = Vocabulary.EOS_ID;
        return new EncodedPair(src, tgt);
    }

    /** The batches as their rows' source lengths, e.g. {@code [1, 2] [3]}. */
    static String lengths(List<PairBatching.Batch> batches) {
        return String.join(" ", batches.stream().map(x -> Arrays.toString(Arrays.stream(x.rows())
                .mapToInt(r -> r.source().length).toArray())).toList());
    }

    /** The batches with every row's ids. */
    static String render(List<PairBatching.Batch> batches) {
        return String.join(" ", batches.stream().map(x -> x.id() + ":" + Arrays.stream(x.rows())
                .map(r -> Arrays.toString(r.source()) + Arrays.toString(r.target())).toList()).toList());
    }

    @Test
    void aTokenBudgetCutsBatchesByPaddedSizeInLengthOrder() {
        // sources of 3, 1, 20, 2, 4 and 10 tokens, one target word each (2 decoder steps), in shuffled order
        int[] lengths = {3, 1, 20, 2, 4, 10};
        List<Tuple2<Long, EncodedPair>> chunk = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            chunk.add(new Tuple2<>((long) i, pair(lengths[i], 1, i)));
        }
        Batching.Options o = new Batching.Options(4, 2, true, 1, 3);
        List<PairBatching.Batch> cut = PairBatching.cut(1, chunk, o, 12);
        // sorted 1, 2, 3, 4, 10, 20: {1, 2} pads to 2 x (2 + 2) = 8 (with 3: 3 x 5 = 15 > 12); {3, 4} to 2 x 6 = 12;
        // {10} to 12; 20 + 2 = 22 exceeds the budget alone
        assertEquals("[1, 2] [3, 4] [10] [20]", lengths(cut));
        assertEquals(List.of(8L, 9L, 10L, 11L), cut.stream().map(PairBatching.Batch::id).toList(),
                "ids from chunk * chunkBatches * B");
        assertEquals(List.of(1 + 2 + 2 + 2L, 3 + 2 + 4 + 2L, 12L, 22L), cut.stream().map(PairBatching.Batch::tokens)
                .toList(), "real tokens");
        // the order the members arrive in does not matter: they are sorted by shuffled position, then length
        List<Tuple2<Long, EncodedPair>> reversed = new ArrayList<>(chunk);
        Collections.reverse(reversed);
        assertEquals(render(cut), render(PairBatching.cut(1, reversed, o, 12)));
        // a budget below every pair: one pair a batch; a budget above the chunk: one batch
        assertEquals("[1] [2] [3] [4] [10] [20]", lengths(PairBatching.cut(1, chunk, o, 1)));
        assertEquals("[1, 2, 3, 4, 10, 20]", lengths(PairBatching.cut(1, chunk, o, 6 * 22)));
        // targets count too: a long target closes the batch although its source is short
        chunk.set(1, new Tuple2<>(1L, pair(1, 9, 1)));
        assertEquals("[1] [2, 3] [4] [10] [20]", lengths(PairBatching.cut(1, chunk, o, 12)));
    }

    @Test
    void tokenBatchesHoldEveryPairOnceWithinTheBudgetAndAreSeeded() {
        int budget = 400;
        Batching.Options o = new Batching.Options(B, 32, true, 2, 11);
        JavaRDD<PairPartition> parts = PairBatching.partitions(pairs, o, budget);
        List<PairPartition> a = parts.collect();
        List<PairPartition> b = PairBatching.partitions(pairs, o, budget).collect();
        assertEquals(fingerprint(a), fingerprint(b));
        List<String> seen = new ArrayList<>();
        long batches = 0;
        int largest = 0;
        int smallest = Integer.MAX_VALUE;
        for (PairPartition x : a) {
            for (long step = 0; step < x.batchesPerEpoch(); step++) {
                Seq2SeqBatch u = x.batch(step);
                int maxS = 0;
                int maxT = 0;
                for (int r = 0; r < u.batchSize(); r++) {
                    maxS = Math.max(maxS, u.sources().get(r).length);
                    maxT = Math.max(maxT, u.targets().get(r).length + 1);
                    seen.add(Arrays.toString(u.sources().get(r)) + Arrays.toString(u.targets().get(r)));
                }
                assertTrue(u.batchSize() * (maxS + maxT) <= budget, u.batchSize() + " x (" + maxS + " + " + maxT
                        + ") over " + budget);
                largest = Math.max(largest, u.batchSize());
                smallest = Math.min(smallest, u.batchSize());
                assertTrue(x.batchSize() >= u.batchSize());
            }
            batches += x.batchesPerEpoch();
        }
        List<String> all = new ArrayList<>(pairs.map(q -> Arrays.toString(q.source())
                + Arrays.toString(Arrays.copyOfRange(q.target(), 1, q.target().length - 1))).collect());
        Collections.sort(all);
        Collections.sort(seen);
        assertEquals(all, seen, "every pair exactly once");
        // CMUdict words pad to 10 to 40 tokens: short words make batches of up to 40 pairs, long ones of 10
        assertTrue(largest > B && smallest < B / 2, "batch sizes from " + smallest + " to " + largest);
        assertEquals(rows, seen.size());
        assertTrue(batches > rows / 40 && batches < rows / 10, batches + " batches");
        Batching.Stats s = PairBatching.stats(parts);
        parts.unpersist(false);
        assertTrue(s.imbalance() <= 1.02, "imbalance " + s.imbalance());
        assertTrue(s.meanPaddingShare() <= 0.10, "padding " + s.meanPaddingShare());
    }

    @Test
    void tooFewTokenBatchesForThePartitionsFailAfterCutting() {
        JavaRDD<EncodedPair> three = sc.parallelize(List.of(pair(2, 1, 0), pair(3, 1, 1), pair(2, 2, 2)));
        Batching.Options o = new Batching.Options(4, 2, true, 2, 1);
        CorpusException e = assertThrows(CorpusException.class, () -> PairBatching.partitions(three, o, 1000));
        assertEquals("3 pairs make 1 batches of up to 1000 padded tokens, too few for 2 partitions; use fewer "
                + "partitions or a smaller train.batch-tokens", e.getMessage());
        assertEquals(2, PairBatching.partitions(three, o, 8).count());
        assertEquals("1 pairs make at most 1 batches of up to 8 padded tokens, too few for 2 partitions; use fewer "
                + "partitions or a smaller train.batch-tokens", assertThrows(CorpusException.class,
                () -> PairBatching.checkBatches(1, o, 8)).getMessage());
    }

    @Test
    void unframedTargetsAreRefused() {
        JavaRDD<EncodedPair> bad = sc.parallelize(List.of(new EncodedPair(new int[] {5, 6}, new int[] {7, 8})));
        SparkException e = assertThrows(SparkException.class, () -> PairBatching.partitions(bad,
                new Batching.Options(1, 1, true, 1, 1), 0));
        assertTrue(e.getMessage().contains("framed <bos> y_1 .. y_n <eos>"), e.getMessage());
    }
}
