package io.sparkrnn.driver.corpus.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.bad.BadReason;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.round.SequencePartition;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmTextReaderTest extends SparkCorpusTest {
    static final String MOBY = sample("moby-dick/moby-dick.txt");

    /** The partitions' streams in partition order (TokenStreamPartition has no getter for them). */
    static int[] trainStream(LmCorpus c) {
        List<int[]> parts = c.train().map(LmTextReaderTest::tokensOf).collect();
        int n = parts.stream().mapToInt(p -> p.length).sum();
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static int[] tokensOf(SequencePartition d) throws ReflectiveOperationException {
        Field f = TokenStreamPartition.class.getDeclaredField("tokens");
        f.setAccessible(true);
        return (int[]) f.get(d);
    }

    @Test
    void charactersEqualCharCorpusSplitIntoContiguousBalancedPartitions() {
        CharCorpus ref = CharCorpus.read(Path.of(MOBY));
        int[] ids = ref.ids();
        // 64 KiB splits: the one file is read by 8 tasks
        LmCorpus c = LmTextReader.read(sc, MOBY, LmOptions.chars().withSplitBytes(64 << 10).withPartitions(3, 32, 64));
        assertEquals(8, c.splits());
        assertEquals(ids.length, c.tokens());
        assertEquals(ref.vocabulary(), c.codePoints());
        assertEquals(CharCorpus.vocabularyText(ref.vocabulary()), c.vocabularyText());
        long t = Math.round(ids.length * 0.9);
        assertEquals(t, c.trainTokens());
        assertArrayEquals(Arrays.copyOfRange(ids, 0, (int) t), trainStream(c));
        assertArrayEquals(Arrays.copyOfRange(ids, (int) t, ids.length), c.validationTokens(1 << 20));
        assertEquals(3, c.validation().getNumPartitions());
        assertEquals(3, c.train().getNumPartitions());
        assertTrue(c.imbalance() <= 1.05, "imbalance " + c.imbalance());
        assertEquals(t / 3, c.partitionTokens()[0]);
        assertEquals(8109, c.lines());
        assertEquals(0, c.bad().total());
        for (long n : c.partitionTokens()) {
            assertTrue(Math.abs(n - t / 3.0) <= 1, "partition of " + n + " tokens, T/3 = " + t / 3.0);
        }
        // the partitions are what the round loop consumes: full batches of 32 lanes x 64 steps
        long batches = c.train().map(SequencePartition::batchesPerEpoch).reduce(Long::sum);
        assertEquals(3 * ((t / 3 - 1) / 32 / 64), batches);
        c.unpersist();
    }

    @Test
    void manyFilesAndAGlobReadInPathOrder(@TempDir Path dir) throws Exception {
        byte[] moby = Files.readAllBytes(Path.of(MOBY));
        // three pieces cut at line ends, named so that path order is text order; a file the glob must skip
        int a = cutAfterLine(moby, moby.length / 3);
        int b = cutAfterLine(moby, 2 * moby.length / 3);
        Files.write(dir.resolve("part-00.txt"), Arrays.copyOfRange(moby, 0, a));
        Files.write(dir.resolve("part-01.txt"), Arrays.copyOfRange(moby, a, b));
        Files.write(dir.resolve("part-02.txt"), Arrays.copyOfRange(moby, b, moby.length));
        Files.writeString(dir.resolve("zz-notes.md"), "not corpus text \u2603\n");
        int[] ids = CharCorpus.read(Path.of(MOBY)).ids();
        long t = Math.round(ids.length * 0.8);

        LmOptions o = LmOptions.chars().withValidationFraction(0.2).withSplitBytes(50_000);
        LmCorpus glob = LmTextReader.read(sc, dir.resolve("part-*.txt").toString(), o);
        assertEquals(ids.length, glob.tokens());
        assertArrayEquals(Arrays.copyOfRange(ids, 0, (int) t), trainStream(glob));
        // the held-out 20% is the end of the last file
        assertArrayEquals(Arrays.copyOfRange(ids, (int) t, ids.length), glob.validationTokens(1 << 20));
        glob.unpersist();

        LmCorpus folder = LmTextReader.read(sc, dir.toString(), o);
        assertEquals(ids.length + "not corpus text \u2603\n".length(), folder.tokens());
        assertEquals(glob.vocabulary().size() + 1, folder.vocabulary().size());
        folder.unpersist();
    }

    private static int cutAfterLine(byte[] b, int from) {
        int i = from;
        while (b[i] != '\n') {
            i++;
        }
        return i + 1;
    }

    @Test
    void wordsWithLineEndsAndALimitedVocabulary() throws Exception {
        String text = Files.readString(Path.of(MOBY));
        String[] lines = text.split("\n", -1);
        List<String> expect = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < lines.length; i++) {
            List<String> toks = new ArrayList<>(List.of(TokenUnit.WORDS.split(lines[i])));
            if (i < lines.length - 1) {
                toks.add(Vocabulary.EOS);
            }
            for (String w : toks) {
                expect.add(w);
                counts.merge(w, 1, Integer::sum);
            }
        }
        LmCorpus c = LmTextReader.read(sc, MOBY, LmOptions.words().withVocabulary(2, 1000)
                .withValidationFraction(0.05).withPartitions(2, 8, 32));
        assertEquals(expect.size(), c.tokens());
        assertEquals(Vocabulary.SPECIALS, c.vocabulary().tokens().subList(0, 4));
        assertEquals(1000, c.vocabulary().size());
        // ids 4.. are the most frequent words, descending (ties by text)
        String top = counts.entrySet().stream().filter(e -> !e.getKey().equals(Vocabulary.EOS))
                .max((x, y) -> x.getValue() != y.getValue().intValue() ? Integer.compare(x.getValue(), y.getValue())
                        : y.getKey().compareTo(x.getKey())).orElseThrow().getKey();
        assertEquals(top, c.vocabulary().token(4));
        int[] stream = trainStream(c);
        assertEquals(Math.round(expect.size() * 0.95), stream.length);
        long unk = 0;
        for (int i = 0; i < stream.length; i++) {
            int want = c.vocabulary().id(expect.get(i));
            assertEquals(want, stream[i], "token " + i + " " + expect.get(i));
            unk += want == Vocabulary.UNK_ID ? 1 : 0;
        }
        assertTrue(unk > 0, "a 1000-word vocabulary leaves words unknown");
        assertEquals(0, c.droppedTokens());
        c.unpersist();
    }

    @Test
    void invalidUtf8LinesAreNamedByFileAndLineAcrossSplits(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i <= 400; i++) {
            if (i == 7 || i == 250) {
                out.write(new byte[] {'b', 'a', 'd', (byte) 0xC3, '(', '\n'}); // 0xC3 must start a 2-byte sequence
            } else {
                out.write(("line " + i + " caf\u00e9\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        Path f = dir.resolve("broken.txt");
        Files.write(f, out.toByteArray());
        LmOptions o = LmOptions.chars().withPartitions(2, 4, 8).withSplitBytes(1000).withMaxBadFraction(0.01);
        LmCorpus c = LmTextReader.read(sc, f.toString(), o);
        assertTrue(c.splits() > 5);
        assertEquals(2, c.bad().count(BadReason.INVALID_UTF8));
        assertEquals(List.of(f.toUri().toString().replace("file:///", "file:/") + ":7: invalid UTF-8",
                f.toUri().toString().replace("file:///", "file:/") + ":250: invalid UTF-8"),
                c.bad().examples().stream().map(Object::toString).toList());
        assertEquals(398, c.lines());
        c.unpersist();

        CorpusException e = assertThrows(CorpusException.class,
                () -> LmTextReader.read(sc, f.toString(), o.withMaxBadFraction(0.001)));
        assertTrue(e.getMessage().contains("broken.txt:7: invalid UTF-8"), e.getMessage());
    }

    /**
     * Ingest throughput on local[2] (docs/benchmarks.md): Moby Dick repeated into one ~129 MB file, read,
     * counted, encoded and cut into cached partitions; the imbalance of 2 and 8 partitions.
     */
    @Test
    void ingestThroughputAndImbalance(@TempDir Path dir) throws Exception {
        byte[] moby = Files.readAllBytes(Path.of(MOBY));
        int copies = 280;
        Path big = dir.resolve("moby-x280.txt");
        try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(big), 1 << 20)) {
            for (int i = 0; i < copies; i++) {
                out.write(moby);
            }
        }
        long bytes = (long) copies * moby.length;
        LmTextReader.read(sc, big.toString(), LmOptions.chars()).unpersist(); // warm-up (JIT)
        for (int p : new int[] {2, 8}) {
            long t0 = System.nanoTime();
            LmCorpus c = LmTextReader.read(sc, big.toString(), LmOptions.chars().withPartitions(p, 32, 64));
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("LM text ingest (read, vocabulary, encode, %d cached partitions), local[2], %d MB in one"
                    + " file, %d splits: %.1f MB/s; tokens per partition max/min %.6f%n", p, bytes >> 20, c.splits(),
                    bytes / 1e6 / s, c.imbalance());
            assertEquals(455380L * copies, c.tokens());
            assertTrue(c.imbalance() <= 1.05);
            c.unpersist();
        }
    }

    @Test
    void missingEmptyOrTooSmallCorporaFailBeforeTraining(@TempDir Path dir) throws Exception {
        LmOptions o = LmOptions.chars();
        CorpusException missing = assertThrows(CorpusException.class,
                () -> LmTextReader.read(sc, dir.resolve("nope.txt").toString(), o));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        CorpusException noMatch = assertThrows(CorpusException.class,
                () -> LmTextReader.read(sc, dir.resolve("*.txt").toString(), o));
        assertTrue(noMatch.getMessage().contains("matches no files"), noMatch.getMessage());
        Files.write(dir.resolve("empty.txt"), new byte[0]);
        CorpusException empty = assertThrows(CorpusException.class,
                () -> LmTextReader.read(sc, dir.resolve("empty.txt").toString(), o));
        assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());
        Files.writeString(dir.resolve("small.txt"), "a short text\n");
        CorpusException small = assertThrows(CorpusException.class,
                () -> LmTextReader.read(sc, dir.resolve("small.txt").toString(), o));
        assertTrue(small.getMessage().contains("too few for 2 partitions of 32 lanes x 64 steps"), small.getMessage());
    }

    @Test
    void languageModelFromATextColumnEqualsTheTextReader(@TempDir Path dir) throws Exception {
        String moby = sample("moby-dick/moby-dick.txt");
        List<String> lines = Files.readAllLines(Path.of(moby));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            rows.add(RowFactory.create(lines.get(i), "line " + i));
            if (i == 100) {
                rows.add(RowFactory.create(null, "a null text"));
            }
        }
        String path = writeParquet(dir, rows, STRINGS2, 3);
        LmOptions o = LmOptions.chars().withMaxBadFraction(0.01);
        LmCorpus fromText = LmTextReader.read(sc, moby, o);
        LmCorpus c = LmTextReader.readParquet(sc, path, "a", o);
        assertEquals(fromText.tokens(), c.tokens());
        assertEquals(fromText.codePoints(), c.codePoints());
        assertArrayEquals(trainStream(fromText), trainStream(c));
        assertArrayEquals(fromText.validationTokens(1 << 20), c.validationTokens(1 << 20));
        assertEquals(1, c.bad().count(BadReason.NULL_VALUE));
        assertTrue(c.bad().examples().get(0).toString().endsWith(":102: null value"), c.bad().describe());
        fromText.unpersist();
        c.unpersist();
    }
}
