package io.sparkrnn.jobs.registry;

import static io.sparkrnn.jobs.registry.RegistryTesting.json;
import static io.sparkrnn.jobs.registry.RegistryTesting.ok;
import static io.sparkrnn.jobs.registry.RegistryTesting.run;
import static io.sparkrnn.jobs.registry.RegistryTesting.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.jobs.Commands;
import io.sparkrnn.jobs.Location;
import io.sparkrnn.jobs.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry on a local root, with a real model trained once (one round of a 16-unit char LM): the commands'
 * round trip, what a promotion leaves untouched, the states a writer killed between steps leaves, hostile names,
 * damaged versions and the fingerprint lookup.
 */
class RegistryTest {
    @TempDir
    static Path shared;
    static Path data;
    static Path run;
    @TempDir
    Path tmp;

    @BeforeAll
    static void trainOnce() throws Exception {
        data = RegistryTesting.mobyHead(shared.resolve("moby-head.txt"), 20_000);
        run = RegistryTesting.train(data, shared.resolve("run"));
    }

    private String root() {
        return tmp.resolve("registry").toString();
    }

    private String current() throws Exception {
        return Files.readString(tmp.resolve("registry/char-lm/CURRENT"));
    }

    @Test
    void registerListShowPromoteRollbackRoundTrip() throws Exception {
        Commands.Run first = ok("registry", "register", root(), "char-lm", run.toString());
        assertEquals("registered char-lm@v0001 (" + root() + "/char-lm/v0001), status registered\n", first.out());
        Path v1 = tmp.resolve("registry/char-lm/v0001");
        assertEquals(snapshot(run.resolve("model")), snapshot(v1.resolve("model")), "an exact copy of the model");
        assertEquals(List.of("model", "version.json"), names(v1));
        assertFalse(Files.exists(v1.resolve("../CURRENT")), "nothing serves before a promotion");

        JsonNode j = json(ok("registry", "show", root(), "char-lm@1", "--json").out());
        assertEquals(1, j.get("version").asInt());
        assertTrue(j.get("parent").isNull());
        assertEquals("registered", j.get("status").asText());
        assertFalse(j.get("current").asBoolean());
        assertEquals("spark-rnn registry register " + root() + " char-lm " + run, j.get("command").asText());
        JsonNode d = j.get("data").get(0);
        assertEquals(data.toString(), d.get("path").asText());
        assertEquals(1, d.get("files").asInt());
        assertEquals(Files.size(data), d.get("bytes").asLong());
        assertEquals(java.time.Instant.ofEpochMilli(Files.getLastModifiedTime(data).toMillis()).toString(),
                d.get("modified").asText());
        assertEquals(Hashes.sha256(Files.readAllBytes(run.resolve("model/config.conf"))),
                j.get("config").get("sha256").asText());
        assertEquals(json(Files.readString(run.resolve("eval.json"))), j.get("metrics"));
        assertTrue(j.get("metrics").get("valid_bits_per_char").asDouble() > 1);

        assertEquals("char-lm: serving v0001 (nothing served before)\n",
                ok("registry", "promote", root(), "char-lm@1").out());
        assertEquals("v0001\n", current());
        Map<String, String> v1Before = snapshot(v1);

        // a second version, trained further from the first (the same files, a parent: other inputs)
        ok("registry", "register", root(), "char-lm", run.resolve("model").toString(), "--parent", "v1");
        assertEquals("char-lm: serving v0002 (was v0001)\n", ok("registry", "promote", root(), "char-lm@v0002").out());
        assertEquals("v0002\nv0001\n", current());
        assertEquals(v1Before, snapshot(v1), "promoting v0002 left v0001 byte for byte as it was");
        assertEquals("char-lm: serving v0002 (already serving)\n", ok("registry", "promote", root(), "char-lm@2").out());
        assertEquals(v1Before, snapshot(v1));

        String list = ok("registry", "list", root(), "char-lm").out();
        List<String> lines = list.lines().toList();
        assertEquals(2, lines.size(), list);
        assertTrue(lines.get(0).startsWith("  v0001  promoted ") && lines.get(0).contains("parent none"), list);
        assertTrue(lines.get(1).startsWith("* v0002  promoted ") && lines.get(1).contains("parent v0001")
                && lines.get(1).contains("valid_bits_per_char " + j.get("metrics").get("valid_bits_per_char")), list);
        assertEquals("char-lm                  2 versions, latest v0002, serving v0002\n",
                ok("registry", "list", root()).out());
        JsonNode names = json(ok("registry", "list", root(), "--json").out());
        assertEquals("v0002", names.get(0).get("current").asText());
        String show = ok("registry", "show", root(), "char-lm").out();
        assertTrue(show.startsWith("char-lm v0002  promoted, serving\n") && show.contains("  parent       v0001\n")
                && show.contains("  data         " + data + "  1 file, "), show);

        // the version folder is a run's output.dir for every model command
        assertTrue(ok("inspect", v1.toString()).out().contains("vocab-chars.txt: "));

        assertEquals("char-lm: serving v0001 (rolled back from v0002, now rejected)\n",
                ok("registry", "rollback", root(), "char-lm").out());
        assertEquals("v0001\n", current());
        JsonNode v2 = json(ok("registry", "show", root(), "char-lm@2", "--json").out());
        assertEquals("rejected", v2.get("status").asText());
        assertTrue(v2.get("rejected_reason").asText().startsWith("rolled back at "), v2.toString());
        assertEquals(v1Before, snapshot(v1), "rolling back to v0001 did not write into it");
        Commands.Run none = run("registry", "rollback", root(), "char-lm");
        assertEquals(2, none.code(), none.err());
        assertTrue(none.err().contains("v0001 is the only version ever promoted"), none.err());
        assertEquals("v0001\n", current());
    }

    @Test
    void aWriterKilledBetweenRegisterAndPromoteLeavesCurrentAsItWas() throws Exception {
        ok("registry", "register", root(), "char-lm", run.toString());
        ok("registry", "promote", root(), "char-lm@1");
        byte[] before = Files.readAllBytes(tmp.resolve("registry/char-lm/CURRENT"));
        // a register killed while copying left its hidden folder: no reader sees it
        Path killed = tmp.resolve("registry/char-lm/.v0002.killed.tmp/model");
        Files.createDirectories(killed);
        Files.write(killed.resolve("weights.safetensors"), new byte[] {1, 2, 3});
        assertEquals(List.of(1), Registry.open(Location.of(root(), "root")).list("char-lm").stream()
                .map(Version::number).toList());
        ok("registry", "register", root(), "char-lm", run.toString(), "--parent", "1");
        // killed here: no promote
        assertEquals(List.of(before.length), List.of(Files.readAllBytes(tmp.resolve("registry/char-lm/CURRENT")).length));
        assertEquals(new String(before, StandardCharsets.UTF_8), current());
        Registry r = Registry.open(Location.of(root(), "root"));
        assertEquals(1, r.current("char-lm").orElseThrow().number());
        Version candidate = r.version("char-lm", 2);
        assertEquals("registered", candidate.status());
        assertFalse(candidate.current());
        assertEquals(List.of(".v0002.killed.tmp", "CURRENT", "v0001", "v0002"), names(tmp.resolve("registry/char-lm")));
        // its number is taken now, so it can never be renamed: the next register deletes it
        ok("registry", "register", root(), "char-lm", run.toString(), "--parent", "2");
        assertEquals(List.of("CURRENT", "v0001", "v0002", "v0003"), names(tmp.resolve("registry/char-lm")));
        assertEquals(new String(before, StandardCharsets.UTF_8), current());
    }

    @Test
    void aWriterKilledWhileWritingCurrentIsIgnoredOrCompleted() throws Exception {
        Registry r = Registry.open(Location.of(root(), "root"));
        Location model = Location.of(run.toString(), "model");
        r.register("char-lm", model, new VersionInfo(null, List.of(), null, "test"));
        r.register("char-lm", model, new VersionInfo(1, List.of(), null, "test"));
        r.promote("char-lm", 1);
        Path dir = tmp.resolve("registry/char-lm");
        // killed before its rename: a complete and a cut temporary file beside CURRENT are ignored
        Files.writeString(dir.resolve(".CURRENT.a.tmp"), "v0002\nv0001\n");
        Files.writeString(dir.resolve(".CURRENT.b.tmp"), "v00");
        assertEquals(1, r.current("char-lm").orElseThrow().number());
        assertEquals("v0001\n", current());
        assertEquals(List.of(1), r.history("char-lm"));

        // killed between deleting CURRENT and renaming (a file system without an atomic overwrite): the complete
        // temporary file is what serves; a cut one is no answer
        Files.delete(dir.resolve("CURRENT"));
        assertEquals(2, r.current("char-lm").orElseThrow().number());
        assertEquals(List.of(2, 1), r.history("char-lm"));
        Files.delete(dir.resolve(".CURRENT.a.tmp"));
        assertTrue(r.current("char-lm").isEmpty(), "a cut temporary file names nothing");
        Files.writeString(dir.resolve(".CURRENT.a.tmp"), "v0002\nv0001\n");

        // the next writer completes the switch and clears the leftovers
        r.rollback("char-lm");
        assertEquals("v0001\n", current());
        assertEquals(List.of("CURRENT", "v0001", "v0002"), names(dir));
        assertEquals("rejected", r.version("char-lm", 2).status());
    }

    @Test
    void hostileNamesAreRefusedNamingTheRule() throws Exception {
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("../escape", "must not start with '.'");
        refused.put("a/../../b", "must not contain '..'");
        refused.put("a/b", "path separator");
        refused.put("a\\b", "path separator");
        refused.put(".hidden", "must not start with '.'");
        refused.put("tab\there", "control characters");
        refused.put("bell\u0007", "control characters");
        refused.put("", "must not be empty");
        refused.put("x".repeat(129), "at most 128 characters");
        refused.put("host:port", "':'");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            Commands.Run r = run("registry", "register", root(), e.getKey(), run.toString());
            assertEquals(2, r.code(), e.getKey() + ": " + r.err());
            assertTrue(r.err().contains("model name '" + Names.shown(e.getKey()) + "' refused")
                    && r.err().contains(e.getValue()), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        assertFalse(Files.exists(tmp.resolve("registry")), "nothing written for a refused name");
        assertFalse(Files.exists(tmp.resolve("escape")));
        ok("registry", "register", root(), "x".repeat(128), run.toString());
        Commands.Run at = run("registry", "promote", root(), "a/b@1");
        assertEquals(2, at.code(), at.err());
        Registry r = Registry.open(Location.of(root(), "root"));
        assertThrows(ConfigException.class, () -> r.list(".."));
        assertThrows(ConfigException.class, () -> r.register("../up", Location.of(run.toString(), "m"),
                new VersionInfo(null, List.of(), null, "test")));
        Commands.Run noVersion = run("registry", "promote", root(), "x".repeat(128) + "@7");
        assertEquals(2, noVersion.code());
        assertTrue(noVersion.err().contains("has no version v0007") && noVersion.err().contains("versions: v0001"),
                noVersion.err());
    }

    @Test
    void aDamagedVersionIsRefusedOnPromoteAndCurrentStays() throws Exception {
        ok("registry", "register", root(), "char-lm", run.toString());
        ok("registry", "promote", root(), "char-lm@1");
        ok("registry", "register", root(), "char-lm", run.toString(), "--parent", "1");
        Path weights = tmp.resolve("registry/char-lm/v0002/model/weights.safetensors");
        byte[] b = Files.readAllBytes(weights);
        b[b.length - 1] ^= 1;
        Files.write(weights, b);
        Commands.Run r = run("registry", "promote", root(), "char-lm@2");
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("weights.safetensors does not match MANIFEST.sha256"), r.err());
        assertEquals("v0001\n", current());
        assertEquals("registered", json(ok("registry", "show", root(), "char-lm@2", "--json").out())
                .get("status").asText());
    }

    @Test
    void aModelThatCannotBeVerifiedIsNotRegistered() throws Exception {
        Path copy = tmp.resolve("copy/model");
        Files.createDirectories(copy);
        try (var files = Files.list(run.resolve("model"))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Files.writeString(copy.resolve("vocab-chars.txt"), "\"x\"\n", java.nio.file.StandardOpenOption.APPEND);
        Commands.Run damaged = run("registry", "register", root(), "char-lm", copy.toString());
        assertEquals(3, damaged.code(), damaged.err());
        assertTrue(damaged.err().contains("vocab-chars.txt does not match MANIFEST.sha256"), damaged.err());
        Files.delete(copy.resolve("MANIFEST.sha256"));
        Commands.Run none = run("registry", "register", root(), "char-lm", copy.toString());
        assertEquals(3, none.code(), none.err());
        assertTrue(none.err().contains("has no MANIFEST.sha256"), none.err());
        assertFalse(Files.exists(tmp.resolve("registry/char-lm")), "nothing registered");
    }

    @Test
    void theSameInputsRegisterOnceAndTheFingerprintFindsThem() throws Exception {
        Path copy = RegistryTesting.mobyHead(tmp.resolve("data.txt"), 20_000);
        ok("registry", "register", root(), "char-lm", run.toString(), "--data", copy.toString());
        Commands.Run again = ok("registry", "register", root(), "char-lm", run.toString(), "--data",
                copy.toString());
        assertTrue(again.out().startsWith("char-lm@v0001 already holds these inputs"), again.out());
        assertEquals(List.of("v0001"), names(tmp.resolve("registry/char-lm")));

        Registry r = Registry.open(Location.of(root(), "root"));
        String config = Files.readString(run.resolve("model/config.conf"));
        String fp = Hashes.fingerprint(List.of(DataFingerprint.of(copy.toString())), Hashes.configSha256(config),
                null);
        assertEquals(1, r.find("char-lm", fp).orElseThrow().number());
        assertTrue(r.find("char-lm", Hashes.fingerprint(List.of(DataFingerprint.of(copy.toString())),
                Hashes.configSha256(config), 1)).isEmpty(), "another parent: other inputs");
        assertTrue(r.find("other", fp).isEmpty());

        // the data grew: another fingerprint, a new version
        Files.writeString(copy, "one more line\n", java.nio.file.StandardOpenOption.APPEND);
        assertFalse(DataFingerprint.of(copy.toString()).listingSha256().equals(
                json(ok("registry", "show", root(), "char-lm@1", "--json").out()).get("data").get(0)
                        .get("listing_sha256").asText()));
        ok("registry", "register", root(), "char-lm", run.toString(), "--data", copy.toString());
        assertEquals(List.of("v0001", "v0002"), names(tmp.resolve("registry/char-lm")));
    }

    @Test
    void gatedPromotionKeepsBothFiguresAndPromotesOnlyAtLeastAsGood() throws Exception {
        Registry r = Registry.open(Location.of(root(), "root"));
        Location model = Location.of(run.toString(), "model");
        for (int i = 0; i < 3; i++) {
            r.register("char-lm", model, new VersionInfo(i == 0 ? null : i, List.of(), null, "test"));
        }
        r.promote("char-lm", 1);
        JsonNode serving = json("{\"bits_per_char\": 2.5}");
        Version worse = r.promoteIfAtLeastAsGood("char-lm", 2, new Gate("bits_per_char", true, "held-out.txt",
                json("{\"bits_per_char\": 2.51}"), serving));
        assertEquals("rejected", worse.status());
        assertEquals("v0001\n", current());
        assertEquals(2.51, worse.json().get("gate").get("candidate").get("bits_per_char").asDouble());
        assertEquals(1, worse.json().get("gate").get("current").get("version").asInt());
        assertEquals(2.5, worse.json().get("gate").get("current").get("figures").get("bits_per_char").asDouble());
        assertEquals("gate: bits_per_char on held-out.txt: candidate 2.51, serving v0001 2.5",
                worse.json().get("rejected_reason").asText());
        Version equal = r.promoteIfAtLeastAsGood("char-lm", 3, new Gate("bits_per_char", true, "held-out.txt",
                json("{\"bits_per_char\": 2.5}"), serving));
        assertEquals("promoted", equal.status());
        assertTrue(equal.current());
        assertTrue(equal.json().get("gate").get("passed").asBoolean());
        assertEquals("v0003\nv0001\n", current());
        r.register("char-lm", model, new VersionInfo(3, List.of(), null, "test"));
        Version unknown = r.promoteIfAtLeastAsGood("char-lm", 4, new Gate("bits_per_char", true, "held-out.txt",
                json("{\"bits_per_char\": 1.0}"), json("{\"accuracy\": 0.9}")));
        assertEquals("rejected", unknown.status(), "the serving figure missing: the serving version stays");
        assertEquals("v0003\nv0001\n", current());
        String show = ok("registry", "show", root(), "char-lm@2").out();
        assertTrue(show.contains("  gate         bits_per_char (lower is better) on held-out.txt: candidate 2.51, "
                + "serving v0001 2.5: failed\n"), show);
    }

    @Test
    void aSecondWriterCannotTakeANumberTheFirstHas() throws Exception {
        Registry r = Registry.open(Location.of(root(), "root"));
        Location model = Location.of(run.toString(), "model");
        Version v1 = r.register("char-lm", model, new VersionInfo(null, List.of(), null, "test"));
        Map<String, String> before = snapshot(tmp.resolve("registry/char-lm/v0001"));
        // the second writer's finished folder, about to be renamed to the number the first took meanwhile
        Location other = v1.dir().parent().resolve(".v0001.other.tmp");
        other.resolve("model").mkdirs();
        other.resolve("version.json").writeString("{}");
        assertThrows(org.apache.hadoop.fs.FileAlreadyExistsException.class, () -> Storage.renameNew(other, v1.dir()));
        assertEquals(before, snapshot(tmp.resolve("registry/char-lm/v0001")), "not replaced, nothing nested");
        assertTrue(other.exists());
    }

    private static List<String> names(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
