package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Brown tagger reading byte-pair-encoding pieces ({@code data.tokens = bpe}) on the shipped sample in local[2],
 * tiny: a word's tag predicted at its first piece and counted once per word (evaluate counts the file's words),
 * predictions per word as given, the merges stored, exported and kept by a warm start, and a damaged merges file.
 */
class TagBpeTest {
    @TempDir
    Path tmp;

    private static final String CORPUS = TaskTesting.path("data/samples/brown") + "/c[a-r][0-9][0-9]";

    private static String[] train(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("data.train=" + CORPUS, "data.tokens=bpe", "data.bpe-merges=400",
                "model.hidden=16", "model.embedding=16", "train.rounds=2", "train.local-steps=5", "eval.every=2"));
        a.addAll(List.of(more));
        return TaskTesting.train("conf/brown-tagger.conf", out, a.toArray(new String[0]));
    }

    @Test
    void tagsWordsFromTheirFirstPiece() throws Exception {
        Path out = tmp.resolve("bpe");
        Commands.Run r = TaskTesting.ok(train(out));
        assertTrue(r.out().contains("byte-pair encoding bpe-input.txt: 400 merges (learned"), r.out());
        Path model = out.resolve("model");
        assertEquals(400, Bpe.fromText(Files.readString(model.resolve(Bpe.INPUT_FILE)), "input").merges().size());
        List<String> vocab = Vocabulary.fromText(Files.readString(model.resolve("vocab-words.txt")), "w").tokens();
        assertTrue(vocab.stream().anyMatch(t -> t.endsWith(Bpe.END)), vocab.toString());
        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        double accuracy = eval.get("valid_accuracy").asDouble();
        assertTrue(accuracy > 0 && accuracy < 1 && eval.has("valid_most_frequent_tag_accuracy"), eval.toString());
        JsonNode held = TaskTesting.heldOut(out, "validation");
        assertEquals(eval.get("valid_count").asLong(), held.get("count").asLong());
        assertEquals(accuracy, held.get("accuracy").asDouble(), 1e-12);

        // evaluate one file: one count a word (word/TAG token), not a piece
        Path file = Path.of(TaskTesting.path("data/samples/brown/ca01"));
        long words = 0;
        for (String line : Files.readAllLines(file)) {
            words += line.isBlank() ? 0 : line.trim().split("\\s+").length;
        }
        JsonNode ev = TaskTesting.printed(TaskTesting.ok("evaluate", out.toString(), "--data", file.toString(),
                "--master", "local[2]"));
        assertEquals(words, ev.get("count").asLong(), ev.toString());
        assertTrue(ev.has("most_frequent_tag_accuracy"), ev.toString());

        // predict: every word as given, with one tag
        Path in = tmp.resolve("sentences.txt");
        Files.writeString(in, "The jury said it did find that many of Atlanta's registration practices\n"
                + "Unpronounceablewordishness happened\n");
        Path pred = tmp.resolve("pred");
        TaskTesting.ok("predict", out.toString(), "--data", in.toString(), "--output", pred.toString(),
                "--input-format", "text", "--master", "local[2]");
        List<String[]> rows = TaskTesting.tsvRows(pred);
        assertEquals(2, rows.size());
        String[] tagged = rows.get(0)[1].split(" ");
        assertEquals(12, tagged.length, rows.get(0)[1]);
        assertTrue(tagged[0].startsWith("The/") && tagged[11].startsWith("practices/"), rows.get(0)[1]);
        assertTrue(rows.get(1)[1].startsWith("Unpronounceablewordishness/") && !rows.get(1)[1].contains(Bpe.END),
                rows.get(1)[1]);

        // export and a warm start keep the merges
        Path torch = tmp.resolve("torch");
        TaskTesting.ok("export", out.toString(), "--format", "pytorch", "--out", torch.toString());
        assertEquals(Files.readString(model.resolve(Bpe.INPUT_FILE)), Files.readString(torch.resolve(Bpe.INPUT_FILE)));
        Path child = tmp.resolve("child");
        List<String> args = new ArrayList<>(List.of(train(child, "data.bpe-merges=30", "train.rounds=1",
                "eval.every=1")));
        args.addAll(List.of("--warm-start", model.toString()));
        Commands.Run w = TaskTesting.ok(args.toArray(new String[0]));
        assertTrue(w.out().contains("byte-pair encoding bpe-input.txt: 400 merges (the parent's)"), w.out());

        // a damaged merges file (re-signed, so that the manifest passes) is bad input naming it and its line
        Path damaged = model.resolve(Bpe.INPUT_FILE);
        List<String> merges = new ArrayList<>(Files.readAllLines(damaged));
        merges.set(0, "#not merges");
        Files.write(damaged, merges);
        ModelManifest.write(Location.of(model.toString(), "model folder"));
        Commands.Run bad = MainTest.run("evaluate", out.toString(), "--data", file.toString(), "--master",
                "local[2]");
        assertEquals(3, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains(Bpe.INPUT_FILE + ":1: not a merges file"), bad.err());
    }
}
