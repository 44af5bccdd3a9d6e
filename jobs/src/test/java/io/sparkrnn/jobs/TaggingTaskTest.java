package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.driver.corpus.tagging.TaggingReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Brown tagger end to end on the shipped sample in local[2]: train, evaluate, predict, inspect. */
class TaggingTaskTest {
    @TempDir
    Path tmp;

    @Test
    void trainsEvaluatesAndTagsTheBrownSample() throws Exception {
        Path out = tmp.resolve("tagger");
        String corpus = TaskTesting.path("data/samples/brown") + "/c[a-r][0-9][0-9]";
        Commands.Run r = TaskTesting.ok(TaskTesting.train("conf/brown-tagger.conf", out, "data.train=" + corpus,
                "model.hidden=32", "model.embedding=32", "train.rounds=4", "train.local-steps=15", "eval.every=2",
                "train.lr=0.01"));
        assertTrue(r.out().contains("round 4/4") && r.out().contains("valid accuracy"), r.out());

        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(4, metrics.size());
        assertTrue(TaskTesting.json(metrics.get(1)).has("valid_accuracy"), metrics.get(1));
        assertTrue(TaskTesting.json(metrics.get(3)).has("valid_macro_f1"), metrics.get(3));

        // the trivial baseline on the same held-out tokens: always the most frequent tag
        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        assertEquals("tag", eval.get("task").asText());
        long count = eval.get("valid_count").asLong();
        long majority = 0;
        long supports = 0;
        for (JsonNode c : (Iterable<JsonNode>) eval.get("valid_per_class")::elements) {
            majority = Math.max(majority, c.get("support").asLong());
            supports += c.get("support").asLong();
        }
        assertEquals(count, supports);
        double baseline = (double) majority / count;
        double accuracy = eval.get("valid_accuracy").asDouble();
        System.out.printf("tagger: validation token accuracy %.4f (majority tag %.4f), macro F1 %.4f, %d tokens%n",
                accuracy, baseline, eval.get("valid_macro_f1").asDouble(), count);
        assertTrue(accuracy > baseline + 0.3, "accuracy " + accuracy + " vs majority tag " + baseline);
        // the most-frequent-tag-per-word baseline on the same tokens: far above the one tag for all
        double perWord = eval.get("valid_most_frequent_tag_accuracy").asDouble();
        double perWordF1 = eval.get("valid_most_frequent_tag_macro_f1").asDouble();
        System.out.printf("tagger: most frequent tag per word %.4f (macro F1 %.4f)%n", perWord, perWordF1);
        assertTrue(perWord > baseline + 0.3 && perWord < 1, eval.toString());
        assertTrue(perWordF1 > 0 && perWordF1 < 1, eval.toString());
        assertTrue(r.out().contains("valid_most_frequent_tag_accuracy"), r.out());
        // the most confused pairs: ten distinct (truth, predicted) tags, largest first, within the errors
        JsonNode pairs = eval.get("valid_confused_pairs");
        assertEquals(10, pairs.size());
        long confused = 0;
        for (int i = 0; i < pairs.size(); i++) {
            JsonNode p = pairs.get(i);
            assertTrue(!p.get("truth").asText().equals(p.get("predicted").asText()), p.toString());
            assertTrue(i == 0 || pairs.get(i - 1).get("count").asLong() >= p.get("count").asLong(), pairs.toString());
            assertTrue(eval.get("valid_per_class").has(p.get("truth").asText()), p.toString());
            confused += p.get("count").asLong();
        }
        assertTrue(confused <= Math.round((1 - accuracy) * count), confused + " confused of " + count);
        assertTrue(Files.exists(out.resolve("model/vocab-words.txt")) && Files.exists(out.resolve("model/vocab-tags.txt")));

        // evaluate on one file: counts its tokens, as read independently here
        String file = TaskTesting.path("data/samples/brown/cp01");
        long tokens = 0;
        long sentences = 0;
        Map<String, Integer> tagCounts = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(file))) {
            if (!line.isBlank()) {
                sentences++;
                for (String t : line.trim().split("\\s+")) {
                    tokens++;
                    tagCounts.merge(TaggingReader.baseTag(t.substring(t.lastIndexOf('/') + 1)), 1, Integer::sum);
                }
            }
        }
        JsonNode ev = TaskTesting.printed(TaskTesting.ok("evaluate", out.toString(), "--data", file, "--master",
                "local[2]"));
        assertEquals(tokens, ev.get("count").asLong());
        double fileMajority = tagCounts.values().stream().mapToInt(Integer::intValue).max().orElseThrow()
                / (double) tokens;
        assertTrue(ev.get("accuracy").asDouble() > fileMajority + 0.3, ev + " vs majority " + fileMajority);
        assertTrue(ev.get("most_frequent_tag_accuracy").asDouble() > fileMajority, ev.toString());

        // the held-out sentences re-derived from the saved config (seed, fraction): eval.json's figures exactly
        JsonNode held = TaskTesting.heldOut(out, "validation");
        assertEquals(count, held.get("count").asLong());
        assertEquals(accuracy, held.get("accuracy").asDouble(), 1e-12);
        assertEquals(eval.get("valid_macro_f1").asDouble(), held.get("macro_f1").asDouble(), 1e-12);
        assertEquals(perWord, held.get("most_frequent_tag_accuracy").asDouble(), 1e-12);
        assertEquals(perWordF1, held.get("most_frequent_tag_macro_f1").asDouble(), 1e-12);
        TaskTesting.configError(MainTest.run("evaluate", out.toString(), "--part", "test"), "use --part validation");
        TaskTesting.configError(MainTest.run("evaluate", out.toString(), "--part", "tset"),
                "--part expects all, validation or test, found 'tset'");
        TaskTesting.configError(MainTest.run("evaluate", out.toString(), "--part", "validation", "--beam", "3"),
                "decoding settings of seq2seq models");

        // predict: one row per input sentence, every word of it tagged with a known tag
        Path pred = tmp.resolve("tags");
        TaskTesting.ok("predict", out.toString(), "--data", file, "--output", pred.toString(), "--master", "local[2]");
        List<String[]> rows = TaskTesting.tsvRows(pred);
        assertEquals(sentences, rows.size());
        List<String> tags = Files.readAllLines(out.resolve("model/vocab-tags.txt"));
        long tagged = 0;
        for (String[] row : rows) {
            for (String wt : row[1].split(" ")) {
                assertTrue(tags.contains("\"" + wt.substring(wt.lastIndexOf('/') + 1) + "\""), wt);
                tagged++;
            }
        }
        assertEquals(tokens, tagged);
        assertEquals("sentence\ttagged", Files.readString(pred.resolve("_columns.tsv")).strip());

        // the output exists now: refused without --overwrite, nothing touched
        Commands.Run again = MainTest.run("predict", out.toString(), "--data", file, "--output", pred.toString());
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("already exists"), again.err());
        assertEquals(sentences, TaskTesting.tsvRows(pred).size());

        Commands.Run ins = TaskTesting.ok("inspect", out.toString());
        assertTrue(ins.out().contains("task: tag") && ins.out().contains("vocab-tags.txt")
                && ins.out().contains("rnn.weight_hh_l0_reverse [128, 32]"), ins.out());

        // a tag vocabulary cut short (and the manifest gone with it): exit 3 naming the file, before Spark starts
        java.nio.file.Path copy = tmp.resolve("cut-tags");
        java.nio.file.Files.createDirectories(copy);
        try (var files = java.nio.file.Files.list(out.resolve("model"))) {
            for (java.nio.file.Path f : files.toList()) {
                java.nio.file.Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        java.nio.file.Files.delete(copy.resolve(ModelManifest.NAME));
        java.util.List<String> tagLines = java.nio.file.Files.readAllLines(copy.resolve("vocab-tags.txt"));
        java.nio.file.Files.write(copy.resolve("vocab-tags.txt"), tagLines.subList(0, tagLines.size() - 1));
        Commands.Run cut = MainTest.run("evaluate", copy.toString(), "--data", file);
        assertEquals(3, cut.code(), cut.err());
        assertTrue(cut.err().contains("vocab-tags.txt holds " + (tagLines.size() - 1) + " tokens, but the model has "
                + tagLines.size()), cut.err());

        ExportTesting.tagger(out, tmp, file);
    }
}
