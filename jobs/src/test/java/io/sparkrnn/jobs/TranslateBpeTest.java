package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.driver.corpus.pairs.Subwords;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KJV to WEB with byte-pair-encoding pieces on both sides, on a slice of the shipped sample in local[2]: the merges
 * stored with the model and used by evaluate and predict (outputs are words, not pieces), copied by export, kept by
 * a warm start, and the errors of a bad merges count and a damaged merges file.
 */
class TranslateBpeTest {
    @TempDir
    Path tmp;

    private String[] train(Path out, Path slice, String... more) {
        List<String> sets = new ArrayList<>(List.of("data.train=" + slice, "data.source-tokens=bpe",
                "data.target-tokens=bpe", "data.bpe-merges=150", "vocab.min-count=1", "train.rounds=1",
                "eval.every=1", "train.local-steps=3", "model.hidden=16", "model.embedding=8",
                "model.decoder-hidden=8", "data.max-source-length=80"));
        sets.addAll(List.of(more));
        return TaskTesting.train(TranslateTaskTest.CONF, out, sets.toArray(new String[0]));
    }

    @Test
    void trainsEvaluatesAndPredictsWordsFromPieces() throws Exception {
        Path slice = tmp.resolve("kjv-web-300.tsv");
        List<String> lines = Files.readAllLines(Path.of(TaskTesting.path(TranslateTaskTest.SAMPLE))).subList(0, 300);
        Files.write(slice, lines);
        Path out = tmp.resolve("bpe");
        Commands.Run r = TaskTesting.ok(train(out, slice));
        assertTrue(r.out().contains("byte-pair encoding bpe-source.txt: 150 merges (learned"), r.out());
        Path model = out.resolve("model");
        Bpe source = Bpe.fromText(Files.readString(model.resolve(Subwords.SOURCE)), "source");
        Bpe target = Bpe.fromText(Files.readString(model.resolve(Subwords.TARGET)), "target");
        assertEquals(150, source.merges().size());
        assertEquals(150, target.merges().size());
        // the vocabulary holds pieces: the first merges' results are in it
        List<String> vocab = Vocabulary.fromText(Files.readString(model.resolve("vocab-target.txt")), "t").tokens();
        assertTrue(vocab.contains(target.merges().get(0)[0] + target.merges().get(0)[1]), vocab.toString());
        assertTrue(vocab.stream().anyMatch(t -> t.endsWith(Bpe.END)), vocab.toString());
        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        for (String k : List.of("valid_bleu", "valid_chrf", "valid_copy_bleu", "valid_ter", "valid_ser")) {
            assertTrue(eval.has(k), k + " in " + eval);
        }
        for (JsonNode s : eval.get("valid_samples")) {
            assertTrue(!s.get("reference").asText().contains(Bpe.END) && !s.get("output").asText().contains(Bpe.END),
                    s.toString());
        }

        // evaluate: the copy baseline is computed on the words as read, so it is the word-level figure
        Path first = tmp.resolve("kjv-web-200.tsv");
        Files.write(first, lines.subList(0, 200));
        JsonNode ev = TaskTesting.printed(TaskTesting.ok("evaluate", out.toString(), "--data", first.toString(),
                "--master", "local[2]"));
        assertEquals(200, ev.get("sequences").asLong());
        assertEquals(35.40309152380488, ev.get("copy_bleu").asDouble(), 1e-9, ev.toString());
        assertTrue(ev.has("bleu") && ev.has("chrf") && ev.has("ter"), ev.toString());

        // predict: whole words out, no piece markers
        Path in = tmp.resolve("verses.txt");
        Files.write(in, List.of("My son, hear the instruction of thy father,", "Wisdom crieth without;"));
        Path pred = tmp.resolve("pred");
        TaskTesting.ok("predict", out.toString(), "--data", in.toString(), "--input-format", "lines", "--output",
                pred.toString(), "--master", "local[2]");
        List<String[]> rows = TaskTesting.tsvRows(pred);
        assertEquals(2, rows.size());
        assertEquals("my son , hear the instruction of thy father ,", rows.get(0)[0]);
        for (String[] row : rows) {
            assertTrue(!row[1].contains(Bpe.END) && !row[1].contains("  "), row[1]);
        }

        // a warm start keeps the parent's merges, whatever data.bpe-merges says
        Path child = tmp.resolve("child");
        List<String> args = new ArrayList<>(List.of(train(child, slice, "data.bpe-merges=40")));
        args.addAll(List.of("--warm-start", model.toString()));
        Commands.Run w = TaskTesting.ok(args.toArray(new String[0]));
        assertTrue(w.out().contains("byte-pair encoding bpe-target.txt: 150 merges (the parent's)"), w.out());
        assertEquals(Files.readString(model.resolve(Subwords.TARGET)),
                Files.readString(child.resolve("model").resolve(Subwords.TARGET)));

        // inspect counts the merges
        String inspect = TaskTesting.ok("inspect", out.toString()).out();
        assertTrue(inspect.contains("bpe-source.txt: 150 merges") && inspect.contains("bpe-target.txt: 150 merges"),
                inspect);

        // export: the folder carries the merges beside the vocabularies
        Path onnx = tmp.resolve("onnx");
        TaskTesting.ok("export", out.toString(), "--format", "onnx", "--out", onnx.toString());
        assertEquals(Files.readString(model.resolve(Subwords.SOURCE)), Files.readString(onnx.resolve(Subwords.SOURCE)));
        assertTrue(Files.exists(onnx.resolve("vocab-source.txt")) && Files.exists(onnx.resolve(Subwords.TARGET)));

        // a damaged merges file (re-signed, so that the manifest passes) is bad input naming it and its line
        Path damaged = model.resolve(Subwords.TARGET);
        List<String> merges = new ArrayList<>(Files.readAllLines(damaged));
        merges.set(2, "nospace");
        Files.write(damaged, merges);
        ModelManifest.write(Location.of(model.toString(), "model folder"));
        Commands.Run bad = MainTest.run("evaluate", out.toString(), "--data", first.toString(), "--master",
                "local[2]");
        assertEquals(3, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains(Subwords.TARGET + ":3: expected a merge 'left right'"), bad.err());
    }

    @Test
    void aMergesCountBelowOneIsAConfigError() {
        TaskTesting.configError(MainTest.run(train(tmp.resolve("x"), Path.of(TaskTesting.path(
                TranslateTaskTest.SAMPLE)), "data.bpe-merges=0")), "data.bpe-merges");
    }

    @Test
    void cmudictPairsAreNotCutIntoPieces() {
        TaskTesting.configError(MainTest.run(TaskTesting.train("conf/cmudict-g2p.conf", tmp.resolve("g2p"),
                "data.train=" + TaskTesting.path(Seq2SeqTaskTest.SAMPLE), "data.target-tokens=bpe")),
                "data.target-tokens = bpe: cmudict pairs are a word's characters");
    }
}
