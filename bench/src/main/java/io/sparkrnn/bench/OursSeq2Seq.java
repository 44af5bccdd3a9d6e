package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Our side of {@code bench seq2seq}, read from the train command's output.dir: the test part's BLEU and chrF from
 * eval.json (as our evaluation scored our outputs; beam search's when the config's beam is wider than 1) with the
 * copy baseline it computed, and from metrics.jsonl the rounds, target tokens, epochs and seconds trained.
 */
final class OursSeq2Seq {
    private OursSeq2Seq() {
    }

    /** The figures of the run in {@code outputDir}; {@code wall}: the whole train command's seconds. */
    static ObjectNode read(Path outputDir, int beam, double wall, String master) {
        try {
            JsonNode eval = EngineBench.JSON.readTree(outputDir.resolve("eval.json").toFile());
            String prefix = beam > 1 ? "test_beam_" : "test_";
            ObjectNode n = EngineBench.JSON.createObjectNode();
            for (String k : List.of("bleu", "chrf")) {
                if (!eval.has(prefix + k)) {
                    throw new IllegalStateException(outputDir.resolve("eval.json") + " has no " + prefix + k);
                }
                n.put("test_" + k, eval.get(prefix + k).asDouble());
            }
            n.put("decode", beam > 1 ? "beam " + beam : "greedy");
            n.put("eval_test_copy_bleu", eval.path("test_copy_bleu").asDouble(Double.NaN));
            long rounds = 0;
            long tokens = 0;
            double seconds = 0;
            double epoch = 0;
            for (String line : Files.readAllLines(outputDir.resolve("metrics.jsonl"))) {
                JsonNode m = EngineBench.JSON.readTree(line);
                rounds++;
                tokens += m.path("tokens").asLong();
                seconds += m.path("seconds_total").asDouble();
                epoch = m.path("epoch").asDouble();
            }
            n.put("rounds", rounds);
            n.put("tokens", tokens);
            n.put("epochs", epoch);
            n.put("train_seconds", seconds);
            n.put("wall_seconds", wall);
            n.put("threads", master);
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the run in " + outputDir, e);
        }
    }
}
