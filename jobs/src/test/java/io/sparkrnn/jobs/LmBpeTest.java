package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A language model of byte-pair-encoding pieces ({@code data.tokens = bpe}) on the Moby Dick sample, tiny: the
 * merges stored with the model and used by evaluate and predict, the per-word figure (total bits over the words,
 * counted here on the pieces the model scores), generated text joined back into words, inspect, export, a warm
 * start keeping the merges, and a damaged merges file.
 */
class LmBpeTest {
    @TempDir
    Path tmp;

    private static String[] train(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("data.train=" + MainTest.sample(), "data.tokens=bpe",
                "data.bpe-merges=500", "model.hidden=16", "model.embedding=16", "train.k1=32", "train.k2=32",
                "train.batch=16", "train.local-steps=3", "train.rounds=2", "eval.every=2"));
        a.addAll(List.of(more));
        return TaskTesting.train("conf/char-lm.conf", out, a.toArray(new String[0]));
    }

    @Test
    void trainsOnPiecesAndScoresThemPerWord() throws Exception {
        Path out = tmp.resolve("bpe");
        Commands.Run r = TaskTesting.ok(train(out));
        assertTrue(r.out().contains("byte-pair encoding bpe-input.txt: 500 merges (learned on the text's words)"),
                r.out());
        Path model = out.resolve("model");
        Bpe bpe = Bpe.fromText(Files.readString(model.resolve(Bpe.INPUT_FILE)), "input");
        assertEquals(500, bpe.merges().size());
        Vocabulary vocab = Vocabulary.fromText(Files.readString(model.resolve("vocab-words.txt")), "v");
        assertTrue(vocab.tokens().stream().anyMatch(t -> t.endsWith(Bpe.END)), vocab.tokens().toString());
        assertTrue(vocab.id(Vocabulary.EOS) >= 0);

        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        double perPiece = eval.get("valid_bits_per_piece").asDouble();
        double perWord = eval.get("valid_bits_per_word").asDouble();
        // a word is one or more pieces: more bits per word than per piece; a uniform guess costs log2(V) a piece
        assertTrue(perPiece > 2 && perPiece < Math.log(vocab.size()) / Math.log(2), eval.toString());
        assertTrue(perWord > perPiece, eval.toString());
        assertEquals(Math.pow(2, perWord), eval.get("valid_perplexity").asDouble(), 1e-9 * Math.pow(2, perWord));
        double unigramPiece = eval.get("valid_unigram_bits_per_piece").asDouble();
        assertEquals(unigramPiece * perWord / perPiece, eval.get("valid_unigram_bits_per_word").asDouble(), 1e-9,
                "the same pieces and words");
        for (JsonNode s : eval.get("valid_samples")) {
            for (String k : List.of("source", "reference", "output")) {
                assertTrue(!s.get(k).asText().contains(Bpe.END), s.toString());
            }
        }
        String metrics = Files.readAllLines(out.resolve("metrics.jsonl")).get(1);
        assertTrue(metrics.contains("\"valid_bits_per_piece\":") && metrics.contains("\"valid_bits_per_word\":"),
                metrics);

        // the held-out part cut again with the stored merges: eval.json's figures
        JsonNode held = TaskTesting.heldOut(out, "validation");
        assertEquals(perPiece, held.get("bits_per_piece").asDouble(), 1e-9);
        assertEquals(perWord, held.get("bits_per_word").asDouble(), 1e-9);
        assertEquals(eval.get("valid_words").asLong(), held.get("words").asLong());

        // evaluate a short text: one lane of one 128-step window, so the scored pieces are ids 1..128; its words
        // (pieces ending a word, line ends) counted here give the per-word figure from the per-piece one
        List<String> lines = Files.readAllLines(Path.of(MainTest.sample()), StandardCharsets.UTF_8);
        List<Integer> ids = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (String line : lines.subList(1000, lines.size())) {
            if (ids.size() >= 200) {
                break;
            }
            text.append(line).append('\n');
            for (String w : TokenUnit.WORDS.split(line)) {
                for (String p : bpe.encode(w)) {
                    ids.add(vocab.id(p));
                }
            }
            ids.add(vocab.id(Vocabulary.EOS));
        }
        assertTrue(ids.size() >= 200 && ids.size() < 258, "one lane: " + ids.size());
        long words = 0;
        for (int t = 1; t <= 128; t++) {
            String piece = vocab.token(ids.get(t));
            words += piece.endsWith(Bpe.END) || piece.equals(Vocabulary.EOS) ? 1 : 0;
        }
        Path shortText = tmp.resolve("short.txt");
        Files.writeString(shortText, text.toString());
        JsonNode ev = TaskTesting.printed(TaskTesting.ok("evaluate", out.toString(), "--data", shortText.toString()));
        assertEquals(ids.size(), ev.get("pieces").asInt(), ev.toString());
        assertEquals(words, ev.get("words").asLong(), ev.toString());
        assertEquals(ev.get("bits_per_piece").asDouble() * 128 / words, ev.get("bits_per_word").asDouble(), 1e-9);

        // generated text: the prompt, then whole words, no piece marks; the same seed draws the same text
        Commands.Run gen = TaskTesting.ok("predict", out.toString(), "--prompt", "Call me", "--length", "30",
                "--seed", "3");
        assertTrue(gen.out().startsWith("Call me ") && !gen.out().contains(Bpe.END), gen.out());
        assertEquals(gen.out(), TaskTesting.ok("predict", out.toString(), "--prompt", "Call me", "--length", "30",
                "--seed", "3").out());

        // inspect and export: the merges beside the vocabulary
        assertTrue(TaskTesting.ok("inspect", out.toString()).out().contains("bpe-input.txt: 500 merges"));
        Path torch = tmp.resolve("torch");
        TaskTesting.ok("export", out.toString(), "--format", "pytorch", "--out", torch.toString());
        assertEquals(Files.readString(model.resolve(Bpe.INPUT_FILE)), Files.readString(torch.resolve(Bpe.INPUT_FILE)));
        assertTrue(Files.exists(torch.resolve("vocab-words.txt")));

        // a warm start keeps the parent's merges, whatever data.bpe-merges says
        Path child = tmp.resolve("child");
        List<String> args = new ArrayList<>(List.of(train(child, "data.bpe-merges=50", "train.rounds=1",
                "eval.every=1")));
        args.addAll(List.of("--warm-start", model.toString()));
        Commands.Run w = TaskTesting.ok(args.toArray(new String[0]));
        assertTrue(w.out().contains("byte-pair encoding bpe-input.txt: 500 merges (the parent's)"), w.out());
        assertEquals(Files.readString(model.resolve(Bpe.INPUT_FILE)),
                Files.readString(child.resolve("model").resolve(Bpe.INPUT_FILE)));

        // a damaged merges file (re-signed, so that the manifest passes) is bad input naming it and its line
        Path damaged = model.resolve(Bpe.INPUT_FILE);
        List<String> merges = new ArrayList<>(Files.readAllLines(damaged));
        merges.set(6, merges.get(5));
        Files.write(damaged, merges);
        ModelManifest.write(Location.of(model.toString(), "model folder"));
        Commands.Run bad = MainTest.run("predict", out.toString(), "--prompt", "Call me");
        assertEquals(3, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains(Bpe.INPUT_FILE + ":7: the merge '" + merges.get(5) + "' is already on line 6"),
                bad.err());
    }
}
