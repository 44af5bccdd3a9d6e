package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.seq2seq.Seq2SeqEvaluation;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * CMUdict grapheme-to-phoneme end to end on the shipped sample in local[2]: train, evaluate, predict, inspect,
 * export.
 */
class Seq2SeqTaskTest {
    static final String CONF = "conf/cmudict-g2p.conf";
    static final int MAX_SOURCE = 12;
    static final String SAMPLE = "data/samples/cmudict/cmudict-sample.txt";

    @TempDir
    Path tmp;

    /** The sample's (word, phones) lines without alternates, read here. */
    static List<String[]> words(Path file) throws Exception {
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            int sep = line.indexOf("  ");
            if (sep > 0 && !line.startsWith(";;;") && !line.substring(0, sep).endsWith(")")) {
                out.add(new String[] {line.substring(0, sep), line.substring(sep + 2).trim()});
            }
        }
        return out;
    }

    static String[] train(Path out, int rounds) {
        return TaskTesting.train(CONF, out, "data.train=" + TaskTesting.path(SAMPLE), "model.embedding=16",
                "model.hidden=32", "train.rounds=" + rounds, "train.local-steps=20", "train.lr=0.01", "eval.every=4",
                "decode.beam=2", "data.max-source-length=" + MAX_SOURCE);
    }

    @Test
    void trainsEvaluatesTranslatesAndResumesOnTheCmudictSample() throws Exception {
        Path sample = Path.of(TaskTesting.path(SAMPLE));
        List<String[]> words = words(sample);
        long tooLong = words.stream().filter(w -> w[0].length() > MAX_SOURCE).count();
        Path out = tmp.resolve("g2p");
        Commands.Run r = TaskTesting.ok(train(out, 8));
        assertTrue(r.out().contains("valid per") && r.out().contains(tooLong + " skipped as longer than"), r.out());

        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        assertEquals("seq2seq", eval.get("task").asText());
        assertEquals(tooLong, eval.get("skipped_long_sources").asLong());
        long valid = eval.get("valid_sequences").asLong();
        long test = eval.get("test_sequences").asLong();
        double kept = words.size() - tooLong;
        // the seeded 90/5/5 split: about 5% each (binomial spread on ~5,500 words is ~0.3%)
        assertEquals(0.05, valid / kept, 0.015, "validation share");
        assertEquals(0.05, test / kept, 0.015, "test share");
        assertEquals(valid, eval.get("valid_beam_sequences").asLong());
        double per = eval.get("valid_per").asDouble();
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(8, metrics.size());
        assertEquals(per, TaskTesting.json(metrics.get(7)).get("valid_per").asDouble(), 1e-5, metrics.get(7));
        assertTrue(TaskTesting.json(metrics.get(3)).has("valid_wer"), metrics.get(3));
        // the same eight validation words after each validation, each with a CMUdict pronunciation and an output
        JsonNode early = TaskTesting.json(metrics.get(3)).get("valid_samples");
        JsonNode late = TaskTesting.json(metrics.get(7)).get("valid_samples");
        assertEquals(8, early.size());
        for (int i = 0; i < 8; i++) {
            assertEquals(early.get(i).get("source").asText(), late.get(i).get("source").asText());
            assertTrue(early.get(i).get("source").asText().matches("[A-Z'.-]+"), early.get(i).toString());
            assertTrue(late.get(i).get("reference").asText().matches("[A-Z]+[0-2]?( [A-Z]+[0-2]?)*"),
                    late.get(i).toString());
        }
        assertEquals(late, eval.get("valid_samples"), "the final model is the last validated one");

        // the untrained model of the same spec on the first 400 words, against the trained one
        Path model = out.resolve("model");
        ModelFiles.Loaded loaded = ModelFiles.load(model, DataType.FLOAT);
        Seq2SeqModel m = loaded.model().as(Seq2SeqModel.class);
        Vocabulary src = Vocabulary.fromText(Files.readString(model.resolve(Seq2SeqTask.SOURCE)), "source");
        Vocabulary tgt = Vocabulary.fromText(Files.readString(model.resolve(Seq2SeqTask.TARGET)), "target");
        List<int[]> sources = new ArrayList<>();
        List<int[]> refs = new ArrayList<>();
        for (String[] w : words.subList(0, 400)) {
            if (w[0].length() <= MAX_SOURCE) {
                sources.add(src.encode(w[0].codePoints().mapToObj(Character::toString).toArray(String[]::new)));
                refs.add(tgt.encode(w[1].split(" +")));
            }
        }
        double untrained = Seq2SeqEvaluation.greedy(m, new Seq2SeqModel(m.spec()).initParams(1234,
                DataType.FLOAT), sources, refs, 64).tokenErrorRate();
        double trained = Seq2SeqEvaluation.greedy(m, loaded.params(), sources, refs, 64).tokenErrorRate();
        System.out.printf("g2p (H=32, 8 rounds, lr 0.01): valid PER %.3f WER %.3f BLEU %.3f, beam 2 PER %.3f; "
                + "test PER %.3f; first 400 words PER %.3f trained vs %.3f untrained%n", per,
                eval.get("valid_wer").asDouble(),
                eval.get("valid_bleu").asDouble(), eval.get("valid_beam_per").asDouble(),
                eval.get("test_per").asDouble(), trained, untrained);
        assertTrue(untrained > 0.9, "untrained PER " + untrained);
        assertTrue(per < 0.6 * untrained && trained < 0.6 * untrained, "PER " + per + " / " + trained + " vs untrained "
                + untrained);
        assertTrue(eval.get("valid_bleu").asDouble() > 0 && eval.get("valid_bleu").asDouble() < 1, eval.toString());

        // evaluate on the first 800 lines of the sample (beam search is per word): every word that fits is scored
        Path part = tmp.resolve("cmudict-800.txt");
        Files.write(part, Files.readAllLines(sample).subList(0, 800));
        List<String[]> partWords = words(part);
        long partLong = partWords.stream().filter(w -> w[0].length() > MAX_SOURCE).count();
        JsonNode ev = TaskTesting.printed(TaskTesting.ok("evaluate", out.toString(), "--data", part.toString(),
                "--master", "local[2]"));
        assertEquals(partWords.size() - partLong, ev.get("sequences").asLong());
        assertEquals(partWords.size() - partLong, ev.get("beam_sequences").asLong());
        assertEquals(partLong, ev.get("skipped_long_sources").asLong());
        assertTrue(ev.get("per").asDouble() < 0.6 * untrained, ev.toString());

        // the test words re-derived from the saved config (seed, fractions): eval.json's test figures exactly
        JsonNode held = TaskTesting.heldOut(out, "test");
        assertEquals(test, held.get("sequences").asLong());
        assertEquals(eval.get("test_per").asDouble(), held.get("per").asDouble(), 1e-12);
        assertEquals(eval.get("test_wer").asDouble(), held.get("wer").asDouble(), 1e-12);
        assertEquals(eval.get("test_beam_per").asDouble(), held.get("beam_per").asDouble(), 1e-12);
        // --beam 1 for this command only: greedy figures, no beam search
        JsonNode greedy = TaskTesting.printed(TaskTesting.ok("evaluate", out.toString(), "--part", "test", "--beam",
                "1", "--master", "local[2]"));
        assertEquals(eval.get("test_per").asDouble(), greedy.get("per").asDouble(), 1e-12);
        assertTrue(!greedy.has("beam_per"), greedy.toString());
        TaskTesting.configError(MainTest.run("evaluate", out.toString(), "--part", "test", "--beam", "0"),
                "decode.beam must be >= 1");

        // predict: one row per input word, in input order; too long sources get an empty prediction
        Path pred = tmp.resolve("pred");
        TaskTesting.ok("predict", out.toString(), "--data", part.toString(), "--output", pred.toString(),
                "--master", "local[2]");
        List<String[]> rows = TaskTesting.tsvRows(pred);
        words = partWords;
        assertEquals(words.size(), rows.size());
        long exact = 0;
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(words.get(i)[0], rows.get(i)[0]);
            if (words.get(i)[0].length() > MAX_SOURCE) {
                assertEquals("", rows.get(i)[1]);
                assertEquals("NaN", rows.get(i)[2]);
            } else {
                assertTrue(Double.parseDouble(rows.get(i)[2]) <= 0, rows.get(i)[2]);
                exact += rows.get(i)[1].equals(words.get(i)[1]) ? 1 : 0;
            }
        }
        assertEquals("source\tprediction\tscore", Files.readString(pred.resolve("_columns.tsv")).strip());
        // the same beam search as evaluate's: its exact outputs are the words evaluate counted right
        assertEquals(Math.round((1 - ev.get("beam_wer").asDouble()) * ev.get("beam_sequences").asLong()), exact);

        Commands.Run ins = TaskTesting.ok("inspect", out.toString());
        assertTrue(ins.out().contains("task: seq2seq") && ins.out().contains("\"kind\" : \"seq2seq\"")
                && ins.out().contains(Seq2SeqTask.TARGET) && ins.out().contains("eval.json"), ins.out());

        // exact resume: 4 rounds, then the same command to 8, equals the uninterrupted run bit for bit
        Path parts = tmp.resolve("parts");
        TaskTesting.ok(train(parts, 4));
        Commands.Run resumed = TaskTesting.ok(train(parts, 8));
        assertTrue(resumed.out().contains("resuming from ckpt-000004 (round 4 of 8)"), resumed.out());
        assertArrayEquals(Files.readAllBytes(model.resolve("weights.safetensors")),
                Files.readAllBytes(parts.resolve("model/weights.safetensors")), "resumed weights differ");

        // export both ways: ONNX Runtime and torch give the engine's logits and greedy outputs on 12 words (last:
        // without torch the test ends there, reported as skipped)
        ExportTesting.seq2seq(out, tmp, sources.subList(0, 12), refs.subList(0, 12));
    }

    private static Commands.Run run(String conf, String data, String... sets) {
        List<String> a = new ArrayList<>(List.of("train", conf, "--set", data));
        for (String s : sets) {
            a.add("--set");
            a.add(s);
        }
        return MainTest.run(a.toArray(new String[0]));
    }

    private static void assertConfigError(Commands.Run r, String... parts) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        for (String p : parts) {
            assertTrue(r.err().contains(p), "expected '" + p + "' in: " + r.err());
        }
    }

    @Test
    void trainsOnBatchesCutByATokenBudget() throws Exception {
        Path out = tmp.resolve("tokens");
        Commands.Run r = TaskTesting.ok(TinyConfigs.SEQ2SEQ.train(out, "--set", "train.batch-tokens=300",
                "--set", "eval.every=1"));
        // words of up to 12 letters pad to at most 12 + 14 tokens a row: at least 11 pairs a batch, up to 50 short ones
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("batches: ([0-9,]+) of up to 300 padded tokens "
                + "\\(train.batch-tokens; ([0-9.]+) pairs on average\\) on 2 partitions").matcher(r.out());
        assertTrue(m.find(), r.out());
        double perBatch = Double.parseDouble(m.group(2));
        assertTrue(perBatch > 11 && perBatch < 50, perBatch + " pairs a batch");
        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        double per = eval.get("valid_per").asDouble();
        assertTrue(per > 0 && Double.isFinite(per), "valid per " + per);
        assertTrue(eval.get("test_sequences").asLong() > 200, eval.toString());
    }

    @Test
    void configErrorsExitWithCode2BeforeSparkStarts() {
        String conf = TaskTesting.path(CONF);
        String data = "data.train=" + TaskTesting.path(SAMPLE);
        assertConfigError(run(conf, data, "data.format=brown"), "data.format = brown does not "
                + "fit task = seq2seq", "cmudict | tsv | tsv-pairs | parquet");
        assertConfigError(run(conf, data, "model.attention=dot",
                "model.decoder-hidden=7"), "model.attention", "DOT attention needs decoderHidden");
        assertConfigError(run(conf, data, "model.attention=none"), "inputFeeding");
        assertConfigError(run(conf, data, "decode.beam=0"), "decode.beam must be >= 1");
        assertConfigError(run(conf, data, "train.batch-tokens=-1"), "train.batch-tokens must be >= 0");
        assertConfigError(run(conf, data, "train.batch-tokens=many"), "train.batch-tokens");
        assertConfigError(run(conf, data, "model.atention=dot"), "did you mean 'model.attention'");
        assertConfigError(run(conf, data, "data.test-fraction=0.5",
                "data.validation-fraction=0.5"), "must be < 1");
        assertConfigError(run(conf, data, "train.engine-threads=2"), "task = seq2seq trains on one engine thread",
                "expected train.engine-threads = 1, found 2");
    }
}
