package io.sparkrnn.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.jobs.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineBenchTest {
    @TempDir
    Path tmp;

    /** Tiny settings, ours and DL4J only (no torch needed): every record is there, measured or marked n/a. */
    @Test
    void tinyRunWritesOneRecordPerImplementationCellAndHidden() throws Exception {
        Path json = tmp.resolve("bench.json");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int code = new EngineBench(new PrintStream(o, true, StandardCharsets.UTF_8)).run(new String[] {"engine",
            "--cells", "lstm,gru", "--hidden", "8", "--impl", "ours,dl4j", "--repeats", "1", "--steps", "2",
            "--batch", "4", "--seq", "20", "--k", "10", "--json", json.toString()});
        String out = o.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);

        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertTrue(report.get("gemm_peak_gflops").asDouble() > 0, out);
        Map<String, JsonNode> byKey = new HashMap<>();
        for (JsonNode r : report.get("records")) {
            byKey.put(r.get("implementation").asText() + "/" + r.get("cell").asText() + "/" + r.get("hidden").asInt(), r);
        }
        assertEquals(4, byKey.size(), byKey.keySet().toString());
        for (String key : new String[] {"ours/lstm/8", "ours/gru/8", "dl4j/lstm/8"}) {
            JsonNode r = byKey.get(key);
            assertEquals("ok", r.get("status").asText(), key + ": " + r);
            assertTrue(r.get("tokens_per_s").asDouble() > 0, key);
            assertTrue(r.get("gflops").asDouble() > 0, key);
            assertTrue(r.get("peak_rss_mb").asDouble() > 0, key);
        }
        assertEquals("n/a", byKey.get("dl4j/gru/8").get("status").asText());
        double ratio = byKey.get("ours/lstm/8").get("tokens_per_s").asDouble()
                / byKey.get("dl4j/lstm/8").get("tokens_per_s").asDouble();
        assertEquals(ratio, byKey.get("dl4j/lstm/8").get("ratio_ours_over_this").asDouble(), 1e-9);
        assertTrue(out.contains("tokens/s"), out);
    }

    @Test
    void flopsPerTokenFollowsTheDocumentedFormula() {
        BenchSettings s = BenchSettings.defaults();
        // LSTM, H = 128: G = 512; 6*512*(64+128) + 6*64*128
        assertEquals(6L * 512 * 192 + 6L * 64 * 128, s.flopsPerToken("lstm", 128));
        assertEquals(6L * 1536 * 576 + 6L * 64 * 512, s.flopsPerToken("gru", 512));
        assertEquals(6L * 128 * 192 + 6L * 64 * 128, s.flopsPerToken("rnn", 128));
    }

    @Test
    void unknownOptionsAndCellsAreConfigErrors() {
        EngineBench b = new EngineBench(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        ConfigException e = assertThrows(ConfigException.class, () -> b.run(new String[] {"engine", "--hiden", "8"}));
        assertTrue(e.getMessage().contains("--hiden"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> b.run(new String[] {"engine", "--cells", "lstm,transformer"}));
        assertTrue(e.getMessage().contains("transformer"), e.getMessage());
    }
}
