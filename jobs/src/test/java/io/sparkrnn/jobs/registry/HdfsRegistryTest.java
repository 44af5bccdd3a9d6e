package io.sparkrnn.jobs.registry;

import static io.sparkrnn.jobs.registry.RegistryTesting.json;
import static io.sparkrnn.jobs.registry.RegistryTesting.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.driver.testutil.MiniHdfs;
import io.sparkrnn.jobs.Commands.Run;
import io.sparkrnn.jobs.Location;
import io.sparkrnn.jobs.TinyConfigs;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry on {@code hdfs://} (an in-process MiniDFSCluster), whose renames neither overwrite a file nor refuse
 * an existing folder by themselves: versions are registered from a local model folder, promoted and rolled back
 * there with CURRENT replaced in one step; a second writer's rename onto a taken number fails without nesting; a
 * temporary CURRENT left by a killed writer is ignored; {@code train --warm-start registry:hdfs://...} continues the
 * serving or a named version, and refuses a version the registry does not hold.
 */
class HdfsRegistryTest {
    @TempDir
    static File dfsBase;
    static MiniDFSCluster hdfs;
    static FileSystem fs;
    static String uri;
    static Path run;
    /** The text {@link #run} was trained on (the first 20 kB of the Moby Dick sample). */
    static Path moby;

    @BeforeAll
    static void startHdfsAndTrain() throws Exception {
        hdfs = MiniHdfs.start(dfsBase);
        fs = hdfs.getFileSystem();
        uri = MiniHdfs.uri(hdfs);
        moby = RegistryTesting.mobyHead(dfsBase.toPath().resolve("moby-head.txt"), 20_000);
        run = RegistryTesting.train(moby, dfsBase.toPath().resolve("run"));
        for (String f : List.of("ca01", "cb01")) {
            try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path("/data/brown/" + f))) {
                Files.copy(RegistryTesting.repo().resolve("data/samples/brown/" + f), out);
            }
        }
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    private static String text(String path) throws IOException {
        try (var in = fs.open(new org.apache.hadoop.fs.Path(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> names(String path) throws IOException {
        List<String> n = new ArrayList<>();
        for (FileStatus st : fs.listStatus(new org.apache.hadoop.fs.Path(path))) {
            n.add(st.getPath().getName());
        }
        n.sort(null);
        return n;
    }

    /** Every file under {@code path} with the sha256 of its bytes. */
    private static Map<String, String> snapshot(String path) throws IOException {
        Map<String, String> m = new TreeMap<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(new org.apache.hadoop.fs.Path(path), true);
        while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            try (var in = fs.open(f.getPath())) {
                m.put(f.getPath().toUri().getPath(), Hashes.sha256(in.readAllBytes()));
            }
        }
        return m;
    }

    @Test
    void registerPromoteRollbackOnHdfs() throws Exception {
        String root = uri + "/registry";
        ok("registry", "register", root, "char-lm", run.toString(), "--data", uri + "/data/brown");
        assertEquals(List.of("v0001"), names("/registry/char-lm"));
        assertEquals(List.of("model", "version.json"), names("/registry/char-lm/v0001"));
        assertEquals(RegistryTesting.snapshot(run.resolve("model")).values().stream().sorted().toList(),
                snapshot("/registry/char-lm/v0001/model").values().stream().sorted().toList(),
                "the model copied from the local disk byte for byte");
        JsonNode d = json(ok("registry", "show", root, "char-lm@1", "--json").out()).get("data").get(0);
        assertEquals(uri + "/data/brown", d.get("path").asText());
        assertEquals(2, d.get("files").asInt());
        assertEquals(fs.getContentSummary(new org.apache.hadoop.fs.Path("/data/brown")).getLength(),
                d.get("bytes").asLong());

        ok("registry", "promote", root, "char-lm@1");
        assertEquals("v0001\n", text("/registry/char-lm/CURRENT"));
        Map<String, String> v1 = snapshot("/registry/char-lm/v0001");
        ok("registry", "register", root, "char-lm", run.toString(), "--data", uri + "/data/brown", "--parent", "1");
        ok("registry", "promote", root, "char-lm@2");
        assertEquals("v0002\nv0001\n", text("/registry/char-lm/CURRENT"), "replaced although HDFS renames do not "
                + "overwrite");
        assertEquals(v1, snapshot("/registry/char-lm/v0001"), "promoting v0002 left v0001 as it was");
        assertEquals(List.of("CURRENT", "v0001", "v0002"), names("/registry/char-lm"), "no temporary file left");

        // a writer killed before its rename left a temporary CURRENT: readers ignore it
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path("/registry/char-lm/.CURRENT.x.tmp"))) {
            out.write("v0001\n".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(ok("registry", "list", root, "char-lm").out().lines().anyMatch(l -> l.startsWith("* v0002 ")));

        assertEquals("char-lm: serving v0001 (rolled back from v0002, now rejected)\n",
                ok("registry", "rollback", root, "char-lm").out());
        assertEquals("v0001\n", text("/registry/char-lm/CURRENT"));
        assertEquals(List.of("CURRENT", "v0001", "v0002"), names("/registry/char-lm"), "the writer cleared it");
        assertEquals("rejected", json(text("/registry/char-lm/v0002/version.json")).get("status").asText());
        assertEquals(v1, snapshot("/registry/char-lm/v0001"));
        assertEquals("char-lm                  2 versions, latest v0002, serving v0001\n",
                ok("registry", "list", root).out());
    }

    @Test
    void aSecondWritersRenameOntoATakenNumberFailsWithoutNesting() throws Exception {
        Registry r = Registry.open(Location.of(uri + "/race", "root"));
        Version v1 = r.register("m", Location.of(run.toString(), "model"), new VersionInfo(null, List.of(), null,
                "test"));
        Map<String, String> before = snapshot("/race/m/v0001");
        Location other = v1.dir().parent().resolve(".v0001.other.tmp");
        other.resolve("model").mkdirs();
        other.resolve("version.json").writeString("{}");
        assertThrows(org.apache.hadoop.fs.FileAlreadyExistsException.class, () -> Storage.renameNew(other, v1.dir()));
        assertEquals(before, snapshot("/race/m/v0001"), "not replaced, nothing moved into it");
        assertTrue(other.exists());
        assertFalse(fs.exists(new org.apache.hadoop.fs.Path("/race/m/v0001/.v0001.other.tmp")));
    }

    @Test
    void trainWarmStartsFromTheServingOrANamedVersionOfAnHdfsRegistry() throws Exception {
        String root = uri + "/warm";
        ok("registry", "register", root, "char-lm", run.toString());
        ok("registry", "register", root, "char-lm", run.toString(), "--parent", "1");
        ok("registry", "promote", root, "char-lm@2");
        assertEquals("v0002\n", text("/warm/char-lm/CURRENT"));
        Map<String, String> before = snapshot("/warm");

        for (String ref : List.of("char-lm", "char-lm@1", "char-lm@v0001")) {
            String version = ref.equals("char-lm") ? "v0002" : "v0001";
            Path out = dfsBase.toPath().resolve("warm-" + ref.replace('@', '-'));
            RegistryTesting.train(moby, out, "--warm-start", "registry:" + root + "#" + ref);
            String model = uri + "/warm/char-lm/" + version + "/model";
            JsonNode parent = json(Files.readString(out.resolve("model/parent.json")));
            assertEquals(model, parent.get("path").asText(), ref);
            assertEquals(1, parent.get("round").asLong(), ref);
            assertEquals(Hashes.sha256(Files.readAllBytes(run.resolve("model/weights.safetensors"))),
                    parent.get("weightsSha256").asText(), ref + ": the weights registered from " + run);
            assertEquals(2, json(Files.readString(out.resolve("eval.json"))).get("rounds").asLong(), ref);
        }
        assertEquals(before, snapshot("/warm"), "a warm start reads the registry and writes nothing there");

        Path missing = dfsBase.toPath().resolve("warm-missing");
        Run r = RegistryTesting.run(TinyConfigs.LM.train(missing,
                "--set", "data.train=" + moby, "--warm-start", "registry:" + root + "#char-lm@7"));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("has no version v0007"), r.err());
        assertFalse(Files.exists(missing), "nothing written for a version the registry does not hold");
    }
}
