package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The language-model task read by LmTextReader: folders, globs, Parquet, and word models end to end. */
class LmTaskTest {
    /** Counts of the Moby Dick sample, characters (code points) and words (plus one <eos> per line). */
    private static final String MOBY_CHARS = "455,380 characters, vocabulary 82, 409,842 for training, 45,538 for "
            + "validation";
    private static final int MOBY_WORDS = 79_713 + 8_109;

    @TempDir
    Path tmp;

    private static Commands.Run train(Path out, String data, String... more) {
        List<String> a = new ArrayList<>(List.of("data.train=" + data, "model.hidden=16", "train.local-steps=3",
                "train.rounds=2", "eval.every=2"));
        a.addAll(List.of(more));
        return TaskTesting.ok(TaskTesting.train("conf/char-lm.conf", out, a.toArray(new String[0])));
    }

    private static byte[] weights(Path out) throws Exception {
        return Files.readAllBytes(out.resolve("model/weights.safetensors"));
    }

    /**
     * The sample cut into two files at a line: a folder of them and a glob over them are the same corpus as the
     * single file (files in path order), so the counts, vocabulary file and trained weights equal the file's.
     */
    @Test
    void folderAndGlobOfTwoFilesTrainAsTheSingleFile() throws Exception {
        String text = Files.readString(Path.of(MainTest.sample()), StandardCharsets.UTF_8);
        int cut = text.indexOf('\n', text.length() / 3) + 1;
        Path dir = Files.createDirectories(tmp.resolve("parts"));
        Files.writeString(dir.resolve("a.txt"), text.substring(0, cut), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("b.txt"), text.substring(cut), StandardCharsets.UTF_8);

        Commands.Run single = train(tmp.resolve("single"), MainTest.sample());
        Commands.Run folder = train(tmp.resolve("folder"), dir.toString());
        Commands.Run glob = train(tmp.resolve("glob"), dir + "/*.txt");
        assertTrue(single.out().contains(MainTest.sample() + ": " + MOBY_CHARS), single.out());
        assertTrue(folder.out().contains(dir + ": " + MOBY_CHARS), folder.out());
        assertTrue(glob.out().contains(dir + "/*.txt: " + MOBY_CHARS), glob.out());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("single/model/vocab-chars.txt")),
                Files.readAllBytes(tmp.resolve("glob/model/vocab-chars.txt")));
        assertArrayEquals(weights(tmp.resolve("single")), weights(tmp.resolve("folder")), "folder != file");
        assertArrayEquals(weights(tmp.resolve("single")), weights(tmp.resolve("glob")), "glob != file");

        ExportTesting.languageModel(tmp.resolve("single"), tmp);
    }

    /** A glob that matches nothing is bad input (exit 3) naming the pattern, found after Spark starts. */
    @Test
    void globMatchingNothingIsBadInput() {
        String glob = tmp.resolve("none") + "/*.txt";
        Commands.Run r = MainTest.run(TaskTesting.train("conf/char-lm.conf", tmp.resolve("o"), "data.train=" + glob));
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(glob), r.err());
        assertTrue(!Files.exists(tmp.resolve("o/model")) && !Files.exists(tmp.resolve("o/metrics.jsonl")), "written");
    }

    /**
     * A word language model: trained (bits per word and perplexity in metrics and eval.json, the Vocabulary file
     * with the specials first), evaluated on the sample (every word and line end counted) and sampled from; the
     * same lines as Parquet rows give the same model, bit for bit.
     */
    @Test
    void wordModelTrainsEvaluatesGeneratesAndReadsParquet() throws Exception {
        Path out = tmp.resolve("words");
        String[] words = {"data.tokens=word", "vocab.max-size=2000", "train.k1=32", "train.k2=32", "train.batch=16",
            "train.local-steps=10", "train.lr=0.02"};
        Commands.Run r = train(out, MainTest.sample(), words);
        int trainTokens = (int) Math.round(MOBY_WORDS * 0.9);
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "%,d words, vocabulary 2000, %,d for "
                + "training, %,d for validation", MOBY_WORDS, trainTokens, MOBY_WORDS - trainTokens)), r.out());
        List<String> vocab = Files.readAllLines(out.resolve("model/vocab-words.txt"));
        assertEquals(2000, vocab.size());
        assertEquals(List.of("\"<pad>\"", "\"<unk>\"", "\"<bos>\"", "\"<eos>\""), vocab.subList(0, 4));
        assertTrue(!Files.exists(out.resolve("model/vocab-chars.txt")));
        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        double bits = eval.get("valid_bits_per_word").asDouble();
        // a uniform guess over 2000 words costs log2(2000) = 10.97 bits
        assertTrue(bits > 3 && bits < 10, "bits per word " + bits);
        assertEquals(Math.pow(2, bits), eval.get("valid_perplexity").asDouble(), 1e-6 * Math.pow(2, bits));
        // the add-one unigram of the training words on the same held-out words: below the uniform guess
        double unigram = eval.get("valid_unigram_bits_per_word").asDouble();
        System.out.printf("word lm: %.3f bits per word, unigram %.3f%n", bits, unigram);
        assertTrue(unigram > 3 && unigram < Math.log(2000) / Math.log(2), eval.toString());
        assertTrue(r.out().contains("valid_unigram_bits_per_word"), r.out());
        String last = Files.readAllLines(out.resolve("metrics.jsonl")).get(1);
        assertTrue(last.contains("\"valid_bits_per_word\":") && last.contains("\"valid_perplexity\":"), last);
        // three prompts of 10 words from the held-out text, continued by the text and by the model for 20 words
        // (a line end, <eos>, is a word)
        JsonNode samples = TaskTesting.json(last).get("valid_samples");
        assertEquals(3, samples.size());
        for (JsonNode s : samples) {
            assertEquals(10, words(s.get("source").asText()), s.toString());
            assertEquals(20, words(s.get("reference").asText()), s.toString());
            assertEquals(20, words(s.get("output").asText()), s.toString());
        }

        JsonNode ev = TaskTesting.printed(TaskTesting.ok("evaluate", out.toString(), "--data", MainTest.sample()));
        assertEquals(MOBY_WORDS, ev.get("words").asInt());
        assertTrue(ev.get("unknown_words").asInt() > 0 && ev.get("unknown_words").asInt() < MOBY_WORDS / 2,
                ev.toString());
        double evBits = ev.get("bits_per_word").asDouble();
        assertTrue(evBits > 3 && evBits < 10, ev.toString());

        // the validation part (the last share of the text) cut again from the saved config: eval.json's figure
        JsonNode held = TaskTesting.heldOut(out, "validation");
        assertEquals(bits, held.get("bits_per_word").asDouble(), 1e-9);
        assertEquals(unigram, held.get("unigram_bits_per_word").asDouble(), 1e-9);
        TaskTesting.configError(MainTest.run("evaluate", out.toString(), "--part", "test"), "use --part validation");

        Commands.Run gen = TaskTesting.ok("predict", out.toString(), "--prompt", "Call me", "--length", "25",
                "--seed", "3");
        assertEquals(gen.out(), TaskTesting.ok("predict", out.toString(), "--prompt", "Call me", "--length", "25",
                "--seed", "3").out(), "same seed, same text");
        assertTrue(gen.out().startsWith("Call me"), gen.out());
        Set<String> known = new HashSet<>();
        for (String v : vocab) {
            known.add(TaskTesting.json(v).asText());
        }
        String[] generated = gen.out().substring("Call me".length()).trim().split("\\s+");
        long lineEnds = gen.out().substring("Call me".length()).chars().filter(ch -> ch == '\n').count() - 1;
        assertEquals(25, generated.length + lineEnds, gen.out());
        for (String w : generated) {
            assertTrue(known.contains(w) && !w.equals(Vocabulary.EOS), w);
        }

        // the sample's lines as Parquet rows (one row a line, <eos> after each): the same tokens, the same model
        Path parquet = tmp.resolve("moby.parquet");
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(MainTest.sample()), StandardCharsets.UTF_8)) {
            rows.add(RowFactory.create(line));
        }
        SparkSession spark = SparkSession.builder().master("local[1]").appName("LmTaskTest").getOrCreate();
        try {
            StructType schema = new StructType().add("line", DataTypes.StringType);
            spark.createDataFrame(rows, schema).coalesce(1).write().parquet(parquet.toString());
        } finally {
            spark.stop();
        }
        Path fromParquet = tmp.resolve("parquet");
        String[] pq = java.util.Arrays.copyOf(words, words.length + 2);
        pq[words.length] = "data.format=parquet";
        pq[words.length + 1] = "data.text-column=line";
        train(fromParquet, parquet.toString(), pq);
        assertArrayEquals(Files.readAllBytes(out.resolve("model/vocab-words.txt")),
                Files.readAllBytes(fromParquet.resolve("model/vocab-words.txt")));
        assertArrayEquals(weights(out), weights(fromParquet), "parquet != text");
    }

    /** Words of a word model's text: the space-separated ones and each line end. */
    private static long words(String text) {
        return java.util.Arrays.stream(text.split("[ \n]+")).filter(w -> !w.isEmpty()).count()
                + text.chars().filter(c -> c == '\n').count();
    }
}
