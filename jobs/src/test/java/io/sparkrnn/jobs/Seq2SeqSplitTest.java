package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqData;
import io.sparkrnn.driver.corpus.pairs.TextPair;
import io.sparkrnn.driver.corpus.pairs.TranslationScores;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobConfig;
import io.sparkrnn.jobs.config.JobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported split of conf/translate.conf on the shipped sample against a one-round training run of the same
 * config: the counts it printed, the target vocabulary it fitted on its training part, the copy baseline it scored
 * on its test part, and each exported pair's part by the driver's seeded hash.
 */
class Seq2SeqSplitTest {
    @TempDir
    Path tmp;

    @Test
    void theExportIsThePartsTheJobTrainsOn() throws Exception {
        String sample = "data.train=" + TaskTesting.path(TranslateTaskTest.SAMPLE);
        Path out = tmp.resolve("run");
        Commands.Run r = TaskTesting.ok(TaskTesting.train(TranslateTaskTest.CONF, out, sample, "train.rounds=1",
                "model.hidden=16", "model.embedding=8", "model.decoder-hidden=8", "train.local-steps=1"));
        JobSettings job = JobSettings.of(JobConfig.load(Path.of(TaskTesting.path(TranslateTaskTest.CONF)),
                List.of(sample, "spark.master=local[2]")));
        Seq2SeqSplit.Counts c = Seq2SeqSplit.write(job, Location.of(tmp.resolve("split").toString(), "dir"));

        Matcher m = Pattern.compile("([\\d,]+) training, ([\\d,]+) validation, ([\\d,]+) test .*?([\\d,]+) skipped")
                .matcher(r.out());
        assertTrue(m.find(), r.out());
        List<List<String[]>> parts = new ArrayList<>();
        for (String f : List.of(Seq2SeqSplit.TRAIN, Seq2SeqSplit.VALIDATION, Seq2SeqSplit.TEST)) {
            List<String[]> rows = new ArrayList<>();
            for (String line : Files.readAllLines(tmp.resolve("split").resolve(f))) {
                rows.add(line.split("\t", -1));
            }
            parts.add(rows);
        }
        assertEquals(num(m.group(1)), c.train());
        assertEquals(c.train(), parts.get(0).size());
        assertEquals(c.validation(), parts.get(1).size());
        assertEquals(c.test(), parts.get(2).size());
        // validation and test: the run counted distinct sources
        assertEquals(num(m.group(2)), parts.get(1).stream().map(p -> p[0]).distinct().count());
        assertEquals(num(m.group(3)), parts.get(2).stream().map(p -> p[0]).distinct().count());
        assertEquals(num(m.group(4)), c.tooLong());
        assertEquals(15, c.tooLong());
        assertEquals(1874 - 15, c.train() + c.validation() + c.test());

        // every pair in its part by the driver's hash, sources within the limit, tokens lower-cased 13a words
        for (int part = 0; part < 3; part++) {
            for (String[] p : parts.get(2 - part)) {
                assertEquals(2, p.length);
                TextPair pair = new TextPair(p[0].split(" "), p[1].split(" "));
                assertEquals(part, Seq2SeqData.part(1234, pair, 0.05, 0.05), p[0]);
                assertTrue(pair.source().length <= 48 && p[0].equals(p[0].toLowerCase()), p[0]);
            }
        }
        assertEquals(List.of("my", "son", ",", "keep", "my", "words", ",", "and", "lay", "up", "my",
                "commandments", "with", "thee", "."), List.of(find(parts, "my son, keep my words").split(" ")));

        // the run's target vocabulary: the words seen at least twice in the exported training targets
        Map<String, Integer> counts = new HashMap<>();
        parts.get(0).forEach(p -> List.of(p[1].split(" ")).forEach(w -> counts.merge(w, 1, Integer::sum)));
        Set<String> twice = new HashSet<>();
        counts.forEach((w, n) -> {
            if (n >= 2) {
                twice.add(w);
            }
        });
        Vocabulary tgt = Vocabulary.fromText(Files.readString(out.resolve("model").resolve(Seq2SeqData.TARGET)),
                "vocab-target.txt");
        Set<String> fitted = new HashSet<>();
        for (int i = Vocabulary.SPECIALS.size(); i < tgt.size(); i++) {
            fitted.add(tgt.token(i));
        }
        assertEquals(twice, fitted);

        // the copy baseline of the exported test part, each source against its references: the run's own
        Map<String, List<String>> refs = new LinkedHashMap<>();
        parts.get(2).forEach(p -> refs.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1]));
        TranslationScores copy = new TranslationScores();
        refs.forEach(copy::add);
        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        assertEquals(eval.get("test_copy_bleu").asDouble(), copy.bleu(), 1e-9);
        assertEquals(eval.get("test_copy_chrf").asDouble(), copy.chrf(), 1e-9);
    }

    @Test
    void onlyASeq2SeqJobIsSplitThisWay() {
        JobSettings lm = JobSettings.of(JobConfig.load(Path.of(MainTest.conf()), List.of()));
        ConfigException e = assertThrows(ConfigException.class, () -> Seq2SeqSplit.write(lm,
                Location.of(tmp.toString(), "dir")));
        assertTrue(e.getMessage().contains("only a seq2seq job"), e.getMessage());
    }

    private static long num(String s) {
        return Long.parseLong(s.replace(",", ""));
    }

    /** The source of the first pair of any part whose source starts with {@code prefix}'s words. */
    private static String find(List<List<String[]>> parts, String prefix) {
        String p = prefix.replace(",", " ,");
        return parts.stream().flatMap(List::stream).map(r -> r[0]).filter(s -> s.startsWith(p)).findFirst()
                .orElseThrow();
    }
}
