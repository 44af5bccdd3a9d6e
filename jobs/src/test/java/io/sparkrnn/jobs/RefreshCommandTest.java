package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.jobs.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code refresh} end to end in local[2] with a tiny character LM (hidden 16, one round a run): the first refresh
 * trains from scratch and promotes; a candidate trained further on more text is promoted; one ruined by its learning
 * rate is registered, rejected, and leaves CURRENT byte for byte (exit 4); a repeated refresh trains nothing; a
 * refresh stopped between register and gate leaves the candidate registered and CURRENT as it was, and the next one
 * gates it without training; {@code --warm-start registry:} resolves CURRENT and {@code @version}.
 */
class RefreshCommandTest {
    private static final String NAME = "moby";

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    /** The first 30 kB of Moby Dick: the first version's data. */
    private static Path textA;
    /** The first 60 kB: the "new data" of the next night. */
    private static Path textB;
    /** A registry whose v0001 (trained on text A by the first refresh) serves; each test works on a copy. */
    private static Path base;
    private static Commands.Run first;

    @BeforeAll
    static void firstRefresh() throws Exception {
        textA = head(shared.resolve("a.txt"), 30_000);
        textB = head(shared.resolve("b.txt"), 60_000);
        base = shared.resolve("registry");
        first = MainTest.run(refresh(base, shared.resolve("out"), textA));
        assertEquals(0, first.code(), first.err());
    }

    private static Path head(Path to, int bytes) throws IOException {
        byte[] moby = Files.readAllBytes(Path.of(TaskTesting.path("data/samples/moby-dick/moby-dick.txt")));
        int cut = bytes;
        while (moby[cut - 1] != '\n') {
            cut++;
        }
        Files.write(to, Arrays.copyOf(moby, cut));
        return to;
    }

    /** {@code refresh} of the char LM conf with tiny settings ({@link TinyConfigs#LM}) on {@code data}. */
    private static String[] refresh(Path root, Path out, Path data, String... more) {
        List<String> a = new ArrayList<>(List.of("--set", "data.train=" + data));
        a.addAll(List.of(more));
        return TinyConfigs.LM.refresh(root, NAME, out, a.toArray(new String[0]));
    }

    /** A copy of the base registry, v0001 serving. */
    private Path registry() throws IOException {
        Path r = tmp.resolve("registry");
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.toList()) {
                Files.copy(p, r.resolve(base.relativize(p).toString()));
            }
        }
        return r;
    }

    private static List<String> versions(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve(NAME))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("v")).sorted().toList();
        }
    }

    private static JsonNode versionJson(Path root, String v) throws IOException {
        return TaskTesting.jsonFile(root.resolve(NAME).resolve(v).resolve("version.json"));
    }

    private static double figure(JsonNode gate, String who) {
        JsonNode f = who.equals("candidate") ? gate.get("candidate") : gate.get("current").get("figures");
        return f.get("bits_per_char").asDouble();
    }

    @Test
    void theFirstRefreshTrainsFromScratchAndPromotes() throws Exception {
        assertTrue(first.out().contains("nothing serves yet: training from scratch"), first.out());
        assertTrue(first.out().contains("promoted: v0001 serves moby"), first.out());
        assertEquals(List.of("v0001"), versions(base));
        assertEquals("v0001\n", Files.readString(base.resolve(NAME).resolve("CURRENT")));
        JsonNode v = versionJson(base, "v0001");
        assertEquals("promoted", v.get("status").asText());
        assertTrue(v.get("parent").isNull());
        assertTrue(v.get("gate").get("passed").asBoolean());
        assertTrue(v.get("gate").get("current").get("version").isNull());
        double bpc = figure(v.get("gate"), "candidate");
        assertTrue(bpc > 1 && bpc < 8, "bits per char " + bpc);
    }

    @Test
    void aBetterCandidateIsPromotedAndARepeatTrainsNothing() throws Exception {
        Path root = registry();
        Path out = tmp.resolve("out");
        Commands.Run r = MainTest.run(refresh(root, out, textB));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("warm start from v0001"), r.out());
        assertTrue(r.out().contains("promoted: v0002 serves moby"), r.out());
        assertEquals("v0002\nv0001\n", Files.readString(root.resolve(NAME).resolve("CURRENT")));
        JsonNode v2 = versionJson(root, "v0002");
        assertEquals("promoted", v2.get("status").asText());
        assertEquals(1, v2.get("parent").asInt());
        JsonNode gate = v2.get("gate");
        assertEquals(1, gate.get("current").get("version").asInt());
        assertTrue(figure(gate, "candidate") < figure(gate, "current"), gate.toString());
        assertTrue(gate.get("data").asText().endsWith(out.resolve(RefreshCommand.HELD_OUT).toString()),
                gate.toString());
        String heldOut = Files.readString(out.resolve(RefreshCommand.HELD_OUT));
        assertTrue(Files.readString(textB).endsWith(heldOut) && heldOut.length() > 4_000
                && heldOut.length() <= 6_000, "the last 10%: " + heldOut.length());

        byte[] current = Files.readAllBytes(root.resolve(NAME).resolve("CURRENT"));
        Commands.Run again = MainTest.run(refresh(root, out, textB));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().startsWith("unchanged: v0002, the serving version, was made from the same data and "
                + "config"), again.out());
        assertFalse(again.out().contains("done: model"), "nothing trained: " + again.out());
        assertEquals(List.of("v0001", "v0002"), versions(root));
        assertTrue(Arrays.equals(current, Files.readAllBytes(root.resolve(NAME).resolve("CURRENT"))));

        // registry: references resolve to CURRENT, or to the version named, checked against its manifest
        assertEquals(root.resolve(NAME).resolve("v0002").resolve("model").toString(),
                WarmStart.resolve("registry:" + root + "#" + NAME).path().toUri().getPath());
        assertEquals(root.resolve(NAME).resolve("v0001").resolve("model").toString(),
                WarmStart.resolve("registry:" + root + "#" + NAME + "@1").path().toUri().getPath());
        ConfigException none = assertThrows(ConfigException.class,
                () -> WarmStart.resolve("registry:" + root + "#" + NAME + "@v7"));
        assertTrue(none.getMessage().contains("has no version v0007"), none.getMessage());
        Path warm = tmp.resolve("warm");
        Commands.Run train = MainTest.run(TinyConfigs.LM.train(warm, "--set", "data.train=" + textB,
                "--warm-start", "registry:" + root + "#" + NAME + "@v1"));
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("warm start from " + root.resolve(NAME).resolve("v0001").resolve("model")),
                train.out());
        String parentJson = Files.readString(warm.resolve("model").resolve(WarmStart.PARENT_JSON));
        assertTrue(parentJson.contains("v0001"), parentJson);
    }

    @Test
    void aWorseCandidateIsRegisteredButNotPromotedAndCurrentStaysByteForByte() throws Exception {
        Path root = registry();
        byte[] current = Files.readAllBytes(root.resolve(NAME).resolve("CURRENT"));
        byte[] v1 = Files.readAllBytes(root.resolve(NAME).resolve("v0001").resolve("version.json"));
        // a learning rate of 2 with Adam ruins the weights in one round: deterministic, and finite
        Commands.Run r = MainTest.run(refresh(root, tmp.resolve("out"), textB, "--set", "train.lr=2",
                "--tolerance", "0"));
        assertEquals(Main.NOT_PROMOTED, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("not promoted: v0002 bits_per_char"), r.out());
        assertTrue(r.out().contains("v0001 still serves"), r.out());
        assertTrue(Arrays.equals(current, Files.readAllBytes(root.resolve(NAME).resolve("CURRENT"))));
        assertTrue(Arrays.equals(v1, Files.readAllBytes(root.resolve(NAME).resolve("v0001").resolve("version.json"))));
        JsonNode v2 = versionJson(root, "v0002");
        assertEquals("rejected", v2.get("status").asText());
        assertTrue(v2.get("rejected_reason").asText().startsWith("gate: bits_per_char"), v2.toString());
        JsonNode gate = v2.get("gate");
        assertFalse(gate.get("passed").asBoolean());
        assertEquals(0.0, gate.get("tolerance").asDouble());
        assertTrue(figure(gate, "candidate") > figure(gate, "current") + 0.1, gate.toString());
        // the same inputs again: nothing to do, exit 0, no new version
        Commands.Run again = MainTest.run(refresh(root, tmp.resolve("out"), textB, "--set", "train.lr=2"));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("unchanged: v0002") && again.out().contains("rejected"), again.out());
        assertEquals(List.of("v0001", "v0002"), versions(root));
    }

    @Test
    void aRefreshStoppedBetweenRegisterAndGateIsGatedByTheNextOne() throws Exception {
        Path root = registry();
        byte[] current = Files.readAllBytes(root.resolve(NAME).resolve("CURRENT"));
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8);
        RefreshCommand crashing = new RefreshCommand(out, v -> {
            throw new IllegalStateException("killed after registering " + v);
        });
        String[] args = refresh(root, tmp.resolve("out"), textB);
        int code = Cli.execute(new CommandLine(crashing), Arrays.copyOfRange(args, 1, args.length), out,
                new PrintStream(e, true, StandardCharsets.UTF_8));
        assertEquals(Main.FAILED, code, o.toString(StandardCharsets.UTF_8));
        assertTrue(e.toString(StandardCharsets.UTF_8).contains("killed after registering moby@v0002"));
        assertEquals(List.of("v0001", "v0002"), versions(root));
        assertEquals("registered", versionJson(root, "v0002").get("status").asText());
        assertFalse(versionJson(root, "v0002").has("gate"));
        assertTrue(Arrays.equals(current, Files.readAllBytes(root.resolve(NAME).resolve("CURRENT"))));
        Commands.Run shown = MainTest.run("registry", "show", root.toString(), NAME + "@2", "--json");
        assertEquals(0, shown.code(), shown.err());
        assertEquals("registered", TaskTesting.json(shown.out()).get("status").asText());

        Commands.Run next = MainTest.run(args);
        assertEquals(0, next.code(), next.err());
        assertTrue(next.out().contains("v0002 was made from the same inputs but never gated"), next.out());
        assertFalse(next.out().contains("done: model"), "nothing trained: " + next.out());
        assertTrue(next.out().contains("promoted: v0002 serves moby"), next.out());
        assertEquals(List.of("v0001", "v0002"), versions(root));
        assertEquals("v0002\nv0001\n", Files.readString(root.resolve(NAME).resolve("CURRENT")));
    }

    @Test
    void aMetricTheTaskDoesNotReportIsAConfigErrorBeforeAnythingIsWritten() throws Exception {
        Path root = tmp.resolve("empty");
        String[] args = refresh(root, tmp.resolve("out"), textA);
        args[Arrays.asList(args).indexOf("bits_per_char")] = "accuracy";
        Commands.Run r = MainTest.run(args);
        TaskTesting.configError(r, "--promote-if-better accuracy: task = lm reports bits_per_char, perplexity");
        assertFalse(Files.exists(root));
        assertFalse(Files.exists(tmp.resolve("out")));
        Commands.Run tol = MainTest.run(refresh(root, tmp.resolve("out"), textA, "--tolerance", "-1"));
        TaskTesting.configError(tol, "--tolerance must be a number >= 0");
    }
}
