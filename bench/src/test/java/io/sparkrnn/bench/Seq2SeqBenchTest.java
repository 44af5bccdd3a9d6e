package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.engine.io.pytorch.PythonTorch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench seq2seq} end to end on conf/translate.conf and the shipped sample with a small model and a budget of a
 * few seconds each, and its refusals of bad options.
 */
class Seq2SeqBenchTest {
    @TempDir
    Path tmp;

    static Path root() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("conf/translate.conf"))) {
                return p;
            }
        }
        throw new IllegalStateException("no conf/translate.conf above " + Paths.get("").toAbsolutePath());
    }

    @Test
    void oursPyTorchAndCopyOnTheSameTestPart() throws Exception {
        Path json = tmp.resolve("s2s.json");
        Path r0 = root();
        EngineBenchTest.Run r = EngineBenchTest.run("seq2seq", r0.resolve("conf/translate.conf").toString(),
                "--seconds", "4", "--work", tmp.resolve("work").toString(), "--json", json.toString(),
                "--set", "data.train=" + r0.resolve("data/samples/kjv-web/kjv-web.tsv"),
                "--set", "model.hidden=32", "--set", "model.embedding=16", "--set", "model.decoder-hidden=16",
                "--set", "train.local-steps=5");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode rep = new ObjectMapper().readTree(json.toFile());
        JsonNode ours = rep.get("ours");
        JsonNode copy = rep.get("copy");
        // the sample's test part: 1,874 verses less 15 too long, about 5% of them
        assertEquals(1874 - 15, rep.at("/split/train").asLong() + rep.at("/split/validation").asLong()
                + rep.at("/split/test").asLong());
        assertTrue(rep.at("/split/test").asLong() > 50, rep.toString());
        // our copy baseline on the exported test part is the one the run scored on its own test part
        assertEquals(ours.get("eval_test_copy_bleu").asDouble(), copy.get("test_bleu").asDouble(), 1e-9);
        assertTrue(copy.get("test_bleu").asDouble() > 30 && copy.get("test_chrf").asDouble() > 50, copy.toString());
        for (String k : new String[] {"test_bleu", "test_chrf"}) {
            double v = ours.get(k).asDouble(-1);
            assertTrue(v >= 0 && v <= 100, k + " " + ours);
        }
        // the budget is wall clock with validation and checkpoints; train_seconds sums the rounds alone
        assertTrue(ours.get("wall_seconds").asDouble() >= 4 && ours.get("train_seconds").asDouble() > 0
                && ours.get("tokens").asLong() > 0, ours.toString());
        assertEquals("greedy", ours.get("decode").asText());
        assertTrue(r.out().contains("| ours | ") && r.out().contains("| copy the source | "), r.out());
        assertTrue(r.out().contains(CpuInfo.current().line()), r.out());

        JsonNode torch = rep.get("torch");
        boolean present = PythonTorch.find().isPresent();
        assertEquals(!present, torch.has("skipped"), torch.toString());
        Assumptions.assumeTrue(present, "no python3 that imports torch");
        assertFalse(torch.has("error"), torch.toString());
        for (String k : new String[] {"test_bleu", "test_chrf"}) {
            double v = torch.get(k).asDouble(-1);
            assertTrue(v >= 0 && v <= 100, k + " " + torch);
        }
        assertTrue(torch.get("train_seconds").asDouble() >= 4 && torch.get("pairs").asLong() > 0, torch.toString());
        assertEquals(copy.get("test_sources").asLong(), Files.readAllLines(tmp.resolve("work/torch/test.output"))
                .size());
        assertTrue(r.out().contains("| PyTorch " + torch.get("torch").asText() + " | "), r.out());
    }

    @Test
    void badOptionsAreConfigErrors() throws Exception {
        String conf = root().resolve("conf/translate.conf").toString();
        EngineBenchTest.assertConfigError(EngineBenchTest.run("seq2seq", tmp.resolve("none.conf").toString(),
                "--work", tmp.resolve("w").toString()), "none.conf", "does not exist");
        EngineBenchTest.assertConfigError(EngineBenchTest.run("seq2seq", conf, "--seconds", "0", "--work",
                tmp.resolve("w").toString()), "--seconds must be a positive number of seconds, found 0.0");
        EngineBenchTest.assertConfigError(EngineBenchTest.run("seq2seq", conf, "--seconds", "-5", "--work",
                tmp.resolve("w").toString()), "--seconds must be a positive");
        EngineBenchTest.assertConfigError(EngineBenchTest.run("seq2seq", root().resolve("conf/char-lm.conf")
                .toString(), "--work", tmp.resolve("w").toString()), "task = lm", "needs a seq2seq config");
        assertFalse(Files.exists(tmp.resolve("w")), "nothing written");
        Path used = tmp.resolve("used");
        Files.createDirectories(used.resolve("ours"));
        EngineBenchTest.assertConfigError(EngineBenchTest.run("seq2seq", conf, "--work", used.toString()),
                "already holds a run");
    }
}
