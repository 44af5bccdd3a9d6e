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
 * The spam classifier reading byte-pair-encoding pieces ({@code data.tokens = bpe}) on the shipped sample in
 * local[2]: the merges stored with the model and used by evaluate and predict, the naive Bayes baseline still on
 * words (the word model's figure exactly), export and a warm start keeping the merges, a damaged merges file, and
 * bpe where it does not apply.
 */
class ClassifyBpeTest {
    @TempDir
    Path tmp;

    private static final String CORPUS = TaskTesting.path("data/samples/spam-assassin");

    private String[] train(Path out, String... more) {
        List<String> sets = new ArrayList<>(List.of("data.train=" + CORPUS, "model.hidden=16", "model.embedding=8",
                "data.max-length=60", "train.k1=60", "train.k2=60", "train.rounds=2", "train.local-steps=3",
                "eval.every=2"));
        sets.addAll(List.of(more));
        return TaskTesting.train("conf/spam-classifier.conf", out, sets.toArray(new String[0]));
    }

    @Test
    void classifiesPiecesAndKeepsTheWordBaseline() throws Exception {
        Path out = tmp.resolve("bpe");
        Commands.Run r = TaskTesting.ok(train(out, "data.tokens=bpe", "data.bpe-merges=300"));
        assertTrue(r.out().contains("byte-pair encoding bpe-input.txt: 300 merges (learned"), r.out());
        Path model = out.resolve("model");
        Bpe bpe = Bpe.fromText(Files.readString(model.resolve(Bpe.INPUT_FILE)), "input");
        assertEquals(300, bpe.merges().size());
        List<String> vocab = Vocabulary.fromText(Files.readString(model.resolve("vocab-words.txt")), "w").tokens();
        assertTrue(vocab.stream().anyMatch(t -> t.endsWith(Bpe.END)), vocab.toString());
        // and pieces that begin a word: several characters, no end-of-word mark
        assertTrue(vocab.stream().anyMatch(t -> !t.endsWith(Bpe.END) && !t.startsWith("<") && t.length() > 2),
                vocab.toString());
        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));

        // the same run on words: the same held-out texts, so naive Bayes (on words in both) scores the same
        Path words = tmp.resolve("words");
        TaskTesting.ok(train(words));
        JsonNode wordEval = TaskTesting.jsonFile(words.resolve("eval.json"));
        assertEquals(wordEval.get("valid_count").asLong(), eval.get("valid_count").asLong());
        assertEquals(wordEval.get("valid_naive_bayes_accuracy").asDouble(),
                eval.get("valid_naive_bayes_accuracy").asDouble(), 0.0);

        // evaluate on the held-out part re-derived from the saved config: eval.json's figures exactly
        JsonNode held = TaskTesting.heldOut(out, "validation");
        assertEquals(eval.get("valid_accuracy").asDouble(), held.get("accuracy").asDouble(), 1e-12);
        assertEquals(eval.get("valid_naive_bayes_accuracy").asDouble(), held.get("naive_bayes_accuracy").asDouble(),
                1e-12);

        // predict: labels out, one a line
        Path lines = tmp.resolve("texts.txt");
        Files.writeString(lines, "Subject: cheap meds online, click here now\nSubject: meeting notes for tomorrow\n");
        Path pred = tmp.resolve("pred");
        TaskTesting.ok("predict", out.toString(), "--data", lines.toString(), "--output", pred.toString(),
                "--input-format", "lines", "--master", "local[2]");
        List<String[]> rows = TaskTesting.tsvRows(pred);
        assertEquals(2, rows.size());
        for (String[] row : rows) {
            assertTrue(List.of("ham", "spam").contains(row[1]), String.join("|", row));
        }

        // inspect and export: the merges beside the vocabularies
        assertTrue(TaskTesting.ok("inspect", out.toString()).out().contains("bpe-input.txt: 300 merges"));
        Path torch = tmp.resolve("torch");
        TaskTesting.ok("export", out.toString(), "--format", "pytorch", "--out", torch.toString());
        assertEquals(Files.readString(model.resolve(Bpe.INPUT_FILE)), Files.readString(torch.resolve(Bpe.INPUT_FILE)));
        assertTrue(Files.exists(torch.resolve("vocab-words.txt")));

        // a warm start keeps the parent's merges, whatever data.bpe-merges says
        Path child = tmp.resolve("child");
        List<String> args = new ArrayList<>(List.of(train(child, "data.tokens=bpe", "data.bpe-merges=50",
                "train.rounds=1", "eval.every=1")));
        args.addAll(List.of("--warm-start", model.toString()));
        Commands.Run w = TaskTesting.ok(args.toArray(new String[0]));
        assertTrue(w.out().contains("byte-pair encoding bpe-input.txt: 300 merges (the parent's)"), w.out());
        assertEquals(Files.readString(model.resolve(Bpe.INPUT_FILE)),
                Files.readString(child.resolve("model").resolve(Bpe.INPUT_FILE)));

        // a damaged merges file (re-signed, so that the manifest passes) is bad input naming it and its line
        Path damaged = model.resolve(Bpe.INPUT_FILE);
        List<String> merges = new ArrayList<>(Files.readAllLines(damaged));
        merges.set(4, "a</w> b");
        Files.write(damaged, merges);
        ModelManifest.write(Location.of(model.toString(), "model folder"));
        Commands.Run bad = MainTest.run("predict", out.toString(), "--data", lines.toString(), "--output",
                tmp.resolve("pred3").toString(), "--input-format", "lines", "--master", "local[2]");
        assertEquals(3, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains(Bpe.INPUT_FILE + ":5: the left symbol 'a</w>' ends a word"), bad.err());
    }

    @Test
    void bpeTokensWhereTheyDoNotApplyAreAConfigError() {
        TaskTesting.configError(MainTest.run(TaskTesting.train("conf/births-forecast.conf", tmp.resolve("f"),
                "data.train=" + TaskTesting.path("data/samples/us-births/us-births.csv"), "data.tokens=bpe")),
                "data.tokens = bpe applies to task = lm, tag and classify, not task = forecast");
        TaskTesting.configError(MainTest.run(TaskTesting.train("conf/translate.conf", tmp.resolve("s"),
                "data.train=" + TaskTesting.path(TranslateTaskTest.SAMPLE), "data.tokens=bpe")),
                "(its sides: data.source-tokens, data.target-tokens)");
    }
}
