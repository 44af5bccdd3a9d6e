package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KJV to WEB translation (tsv-pairs, 13a words, lower-cased) end to end on the shipped sample in local[2]: two
 * rounds of conf/translate.conf, its eval.json with BLEU, chrF and the copy-the-source baseline, evaluate on a
 * slice whose copy baseline sacreBLEU computed, and the config and input errors of the format.
 */
class TranslateTaskTest {
    static final String CONF = "conf/translate.conf";
    static final String SAMPLE = "data/samples/kjv-web/kjv-web.tsv";

    @TempDir
    Path tmp;

    @Test
    void trainsTwoRoundsAndScoresTheCopyBaseline() throws Exception {
        Path out = tmp.resolve("translate");
        Commands.Run r = TaskTesting.ok(TaskTesting.train(CONF, out, "data.train=" + TaskTesting.path(SAMPLE),
                "train.rounds=2", "eval.every=1", "model.hidden=32", "model.embedding=16",
                "model.decoder-hidden=16"));
        assertTrue(r.out().contains("valid ter") && r.out().contains("chrf"), r.out());
        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        for (String k : List.of("valid_bleu", "valid_chrf", "valid_copy_bleu", "valid_copy_chrf", "test_bleu",
                "test_chrf", "test_copy_bleu", "test_copy_chrf")) {
            double v = eval.get(k).asDouble(-1);
            assertTrue(v >= 0 && v <= 100, k + " in " + eval);
        }
        // the copy baseline of verses: far above an untrained model's output, as on the whole sample (38.4 BLEU)
        assertTrue(eval.get("valid_copy_bleu").asDouble() > 20 && eval.get("valid_copy_chrf").asDouble() > 45,
                eval.toString());
        assertTrue(eval.has("valid_ter") && eval.has("valid_ser"), eval.toString());
        assertEquals(15, eval.get("skipped_long_sources").asLong());
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, metrics.size());
        assertTrue(TaskTesting.json(metrics.get(1)).has("valid_chrf"), metrics.get(1));

        // the first 200 verses (Proverbs 1-8: no two alike, none over 48 tokens): sacreBLEU 2.6.0 with
        // lowercase=True scores the KJV text against the WEB text BLEU 35.40309152380488, chrF 59.080823662940105
        Path slice = tmp.resolve("kjv-web-200.tsv");
        Files.write(slice, Files.readAllLines(Path.of(TaskTesting.path(SAMPLE))).subList(0, 200));
        JsonNode ev = TaskTesting.printed(TaskTesting.ok("evaluate", out.toString(), "--data", slice.toString(),
                "--master", "local[2]"));
        assertEquals(200, ev.get("sequences").asLong());
        assertEquals(35.40309152380488, ev.get("copy_bleu").asDouble(), 1e-9, ev.toString());
        assertEquals(59.080823662940105, ev.get("copy_chrf").asDouble(), 1e-9, ev.toString());
        assertTrue(ev.has("bleu") && ev.has("chrf") && ev.has("ter"), ev.toString());
    }

    @Test
    void aColumnThatIsNotANumberIsAConfigError() {
        TaskTesting.configError(MainTest.run(TaskTesting.train(CONF, tmp.resolve("x"), "data.train="
                + TaskTesting.path(SAMPLE), "data.source-column=kjv")), "data.source-column: a tsv-pairs column is "
                + "a column number from 0, found 'kjv'");
    }

    @Test
    void aShortLineIsBadInputNamingFileAndLine() throws Exception {
        Path f = tmp.resolve("bad.tsv");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(Path.of(TaskTesting.path(SAMPLE)))
                .subList(0, 300));
        lines.set(41, "Prov.2.20\tThat thou mayest walk in the way of good men");
        Files.write(f, lines);
        Commands.Run r = MainTest.run(TaskTesting.train(CONF, tmp.resolve("bad"), "data.train=" + f,
                "data.max-bad-fraction=0", "train.rounds=1"));
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("bad.tsv:42") && r.err().contains("expected at least 3 TAB-separated columns"),
                r.err());
        assertTrue(!Files.exists(tmp.resolve("bad/model")), "nothing written");
    }

    @Test
    void swordPairsWithoutTheModuleIsBadInput() throws Exception {
        Path sword = Files.createDirectories(tmp.resolve("sword/mods.d"));
        Commands.Run r = MainTest.run("sword-pairs", "--sword", sword.getParent().toString(), "--source",
                "engKJV2006eb", "--target", "engWEB2015eb", "--out", tmp.resolve("pairs.tsv").toString());
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(sword.resolve("engKJV2006eb.conf") + ": no such file (the configuration of "
                + "SWORD module engKJV2006eb)"), r.err());
        assertTrue(!Files.exists(tmp.resolve("pairs.tsv")));
        // not listed among the commands
        assertTrue(!MainTest.run("--help").out().contains("sword-pairs"));
    }
}
