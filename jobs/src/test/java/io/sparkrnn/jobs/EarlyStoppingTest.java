package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.driver.checkpoint.CheckpointStore;
import io.sparkrnn.engine.io.ModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Best-model selection and early stopping end to end, on a run whose validation worsens after a peak: a 16-unit char
 * LM whose Adam learning rate warms up over 18 inner steps to 0.5, far too high, so that the validation bits per
 * char fall for the first rounds and then rise (seeded: the same rounds every time).
 */
class EarlyStoppingTest {
    @TempDir
    Path tmp;

    /** The run that peaks, validated every round. */
    private static Commands.Run peaking(Path out, int rounds, String... more) {
        List<String> args = new ArrayList<>(List.of("train", MainTest.conf(), "--set", "data.train=" + MainTest.sample(),
                "--set", "spark.master=local[2]", "--set", "model.hidden=16", "--set", "train.local-steps=3",
                "--set", "train.rounds=" + rounds, "--set", "eval.every=1", "--set", "train.lr=0.5",
                "--set", "train.warmup-steps=18", "--set", "train.outer=nesterov", "--set", "train.outer-lr=0.8",
                "--set", "train.outer-momentum=0.5", "--set", "output.dir=" + out));
        for (String m : more) {
            args.addAll(List.of("--set", m));
        }
        Commands.Run r = MainTest.run(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.out() + r.err());
        return r;
    }

    /** metrics.jsonl's validation bits per char by round (index 0 = round 1). */
    private static List<Double> validation(Path out) throws Exception {
        List<Double> v = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            v.add(TaskTesting.json(line).get("valid_bits_per_char").asDouble());
        }
        return v;
    }

    private static float[] modelWeights(Path out) throws Exception {
        return ModelFiles.load(out.resolve("model"), DataType.FLOAT).params().flat().data().asFloat();
    }

    private static CheckpointStore store(Path out) throws Exception {
        return CheckpointStore.open(FileSystem.getLocal(new Configuration()),
                new org.apache.hadoop.fs.Path(out.resolve("checkpoints").toUri()));
    }

    private static float[] checkpointWeights(Path out, long round) throws Exception {
        return store(out).load(CheckpointStore.nameOf(round)).params().flat().data().asFloat();
    }

    private static List<String> checkpoints(Path out) throws Exception {
        try (var s = Files.list(out.resolve("checkpoints"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ckpt-")).sorted().toList();
        }
    }

    /**
     * The written model is the peak round's, weight for weight its checkpoint's, which retention kept although
     * {@code checkpoint.keep-last = 1}; eval.json and the report name the round.
     */
    @Test
    void theModelWrittenIsThePeakRoundsAndItsCheckpointIsKept() throws Exception {
        Path out = tmp.resolve("peak");
        Commands.Run r = peaking(out, 8, "checkpoint.every-rounds=1", "checkpoint.keep-last=1");
        List<Double> valid = validation(out);
        assertEquals(8, valid.size());
        int peak = 1 + valid.indexOf(valid.stream().min(Double::compare).orElseThrow());
        assertEquals(3, peak, "validation " + valid);
        for (int i = peak; i < valid.size(); i++) {
            assertTrue(valid.get(i) > valid.get(peak - 1) + 0.04, "worse after the peak: " + valid);
        }
        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        assertEquals(8, eval.get("rounds").asLong());
        assertEquals("best", eval.get("final_model").asText());
        assertEquals(peak, eval.get("best_round").asLong());
        assertEquals(peak, eval.get("model_round").asLong());
        assertEquals("valid_bits_per_char", eval.get("best_metric").asText());
        assertFalse(eval.get("stopped_early").asBoolean(true));
        // the final evaluation is of the peak's model: the figure its validation gave
        assertEquals(valid.get(peak - 1), eval.get("valid_bits_per_char").asDouble(), 1e-6);
        assertEquals(valid.get(peak - 1), eval.get("best_value").asDouble(), 1e-6);
        // retention: the newest and the best; the model is the best one's weights exactly, not the last one's
        assertEquals(List.of("ckpt-000003", "ckpt-000008"), checkpoints(out));
        assertArrayEquals(checkpointWeights(out, peak), modelWeights(out));
        assertFalse(java.util.Arrays.equals(checkpointWeights(out, 8), modelWeights(out)));
        assertEquals(peak, store(out).bestRound().orElseThrow());
        // the model folder's training state is the peak round's: a warm start continues from there
        assertEquals(peak, TaskTesting.jsonFile(out.resolve("model/training-state.json")).get("round").asLong());
        assertTrue(r.out().contains("model: round 3 of 8 (train.final-model = best); best validation bits_per_char "),
                r.out());
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("best validation bits per character 3.99"), "report summary");
        assertTrue(report.contains("at round 3; the model written is round 3&#39;s (train.final-model = best)"),
                "report summary");
    }

    /**
     * Patience stops the run after that many validations without an improvement; a run stopped between them and
     * resumed (with {@code train.rounds} raised) stops at the same round with the same model, and running it again
     * trains no further.
     */
    @Test
    void patienceStopsTheRunAndAResumedRunKeepsTheDecision() throws Exception {
        Path whole = tmp.resolve("whole");
        Commands.Run w = peaking(whole, 8, "train.early-stopping.patience=4");
        assertTrue(w.out().contains("early stopping after round 7 of 8: 4 validation(s) without an improvement of "
                + "bits_per_char by more than 0.0 on round 3's"), w.out());
        assertFalse(w.out().contains("round 8/8"), w.out());
        assertEquals(7, validation(whole).size());
        JsonNode eval = TaskTesting.jsonFile(whole.resolve("eval.json"));
        assertEquals(7, eval.get("rounds").asLong());
        assertTrue(eval.get("stopped_early").asBoolean(false));
        assertEquals(3, eval.get("best_round").asLong());
        assertArrayEquals(checkpointWeights(whole, 3), modelWeights(whole));

        // stopped at round 6 (train.rounds), writing the last round's model as asked; 3 validations since the best
        Path parts = tmp.resolve("parts");
        peaking(parts, 6, "train.early-stopping.patience=4", "train.final-model=last");
        JsonNode first = TaskTesting.jsonFile(parts.resolve("eval.json"));
        assertEquals(6, first.get("model_round").asLong());
        assertEquals(3, first.get("best_round").asLong());
        assertArrayEquals(checkpointWeights(parts, 6), modelWeights(parts));
        // resumed for 8 rounds: the fourth validation without an improvement, round 7, stops it as it did the whole
        Commands.Run second = peaking(parts, 8, "train.early-stopping.patience=4");
        assertTrue(second.out().contains("resuming from ckpt-000006 (round 6 of 8)"), second.out());
        assertTrue(second.out().contains("early stopping after round 7 of 8"), second.out());
        assertEquals(validation(whole), validation(parts));
        assertEquals(eval.get("valid_bits_per_char").asDouble(), TaskTesting.jsonFile(parts.resolve("eval.json"))
                .get("valid_bits_per_char").asDouble());
        assertArrayEquals(modelWeights(whole), modelWeights(parts));
        // the same command again: the run stopped early, nothing more is trained
        Commands.Run again = peaking(parts, 8, "train.early-stopping.patience=4");
        assertTrue(again.out().contains("early stopping stopped this run at round 7"), again.out());
        assertFalse(again.out().contains("round 8/8"), again.out());
        assertEquals(7, validation(parts).size());
        assertArrayEquals(modelWeights(whole), modelWeights(parts));
    }

    /** A metric the task's validation does not give, or a bad value, is a config error naming the key: exit 2. */
    @Test
    void badKeysAreConfigErrors() {
        TaskTesting.configError(train("train.early-stopping.metric=accuracy"), "train.early-stopping.metric = "
                + "accuracy: the validation of task = lm gives bits_per_char");
        TaskTesting.configError(train("train.early-stopping.patience=-1"),
                "train.early-stopping.patience must be >= 0, found -1");
        TaskTesting.configError(train("train.early-stopping.min-delta=-0.1"),
                "train.early-stopping.min-delta must be >= 0.0");
        TaskTesting.configError(train("train.final-model=middle"),
                "train.final-model must be one of best | last, found 'middle'");
        TaskTesting.configError(train("train.early-stoping.patience=2"), "did you mean 'train.early-stopping.patience'");
        assertFalse(Files.exists(tmp.resolve("x")), "nothing written");
    }

    private Commands.Run train(String set) {
        return MainTest.run("train", MainTest.conf(), "--set", "data.train=" + MainTest.sample(), "--set",
                "output.dir=" + tmp.resolve("x"), "--set", set);
    }
}
