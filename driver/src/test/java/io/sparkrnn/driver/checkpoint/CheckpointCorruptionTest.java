package io.sparkrnn.driver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loading damaged checkpoints: a missing LATEST, a flipped byte, a file gone, a hostile header fall back to the
 * newest checkpoint that verifies, with a warning naming the file; an unknown format is refused.
 */
class CheckpointCorruptionTest extends CheckpointTesting {
    @Test
    void latestFallsBackToTheHighestCompleteCheckpointWhenLatestIsMissing() throws IOException {
        Path dir = freshDir("file");
        FileSystem fs = fsOf(dir);
        CheckpointStore store = CheckpointStore.open(fs, dir);
        store.save(SPEC, synthetic(1), info(1, null), Map.of());
        store.save(SPEC, synthetic(2), info(2, null), Map.of());
        fs.delete(new Path(dir, CheckpointStore.LATEST), false);
        assertEquals(2, CheckpointStore.open(fs, dir).latest().round());
    }

    static final class Captured extends AbstractAppender {
        final List<String> messages = new ArrayList<>();

        Captured() {
            super("captured", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public synchronized void append(LogEvent event) {
            messages.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
    }

    static Captured capture() {
        Captured c = new Captured();
        c.start();
        ((org.apache.logging.log4j.core.Logger) LogManager.getLogger(CheckpointStore.class)).addAppender(c);
        return c;
    }

    static void release(Captured c) {
        ((org.apache.logging.log4j.core.Logger) LogManager.getLogger(CheckpointStore.class)).removeAppender(c);
    }

    /**
     * A byte flipped in the newest weights file: rewritten through the file system (so only the manifest can
     * tell), and on the local FS also flipped on disk behind Hadoop's back (its .crc catches it first).
     */
    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs", "file-raw"})
    void flippedByteInNewestWeightsFallsBackToThePreviousCheckpointWithAWarning(String kind) throws IOException {
        Path dir = freshDir(kind.startsWith("file") ? "file" : "hdfs");
        FileSystem fs = fsOf(dir);
        CheckpointStore store = CheckpointStore.open(fs, dir);
        store.save(SPEC, synthetic(1), info(1, null), Map.of());
        store.save(SPEC, synthetic(2), info(2, null), Map.of());
        Path weights = new Path(new Path(dir, "ckpt-000002"), CheckpointStore.WEIGHTS);
        byte[] b;
        try (InputStream in = fs.open(weights)) {
            b = in.readAllBytes();
        }
        b[b.length - 17] ^= 0x10;
        if (kind.equals("file-raw")) {
            Files.write(new File(weights.toUri()).toPath(), b);
        } else {
            try (FSDataOutputStream out = fs.create(weights, true)) {
                out.write(b);
            }
        }
        Fallback f = latestWithWarning(fs, dir);
        assertEquals(1, f.checkpoint().round());
        assertStateEquals(synthetic(1), f.checkpoint().state());
        assertTrue(f.warning().contains("ckpt-000002/" + CheckpointStore.WEIGHTS), f.warning());
        System.out.println(kind + ": " + f.warning());
    }

    /** The checkpoint {@code latest()} falls back to, and the warning that named the damaged one. */
    private record Fallback(Checkpoint checkpoint, String warning) {
    }

    private static Fallback latestWithWarning(FileSystem fs, Path dir) throws IOException {
        Captured log = capture();
        Checkpoint c;
        try {
            c = CheckpointStore.open(fs, dir).latest();
        } finally {
            release(log);
        }
        String warning = log.messages.stream().filter(m -> m.startsWith("WARN") && m.contains("damaged"))
                .findFirst().orElse(null);
        assertNotNull(warning, "no warning in " + log.messages);
        return new Fallback(c, warning);
    }

    /** Replaces {@code name} in checkpoint {@code ck} and re-signs its manifest line, as a writer of it would. */
    static void resign(FileSystem fs, Path ck, String name, byte[] bytes) throws IOException {
        rewrite(fs, new Path(ck, name), bytes);
        Path manifest = new Path(ck, CheckpointStore.MANIFEST);
        String m;
        try (InputStream in = fs.open(manifest)) {
            m = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String sha = HexFormat.of().formatHex(sha256(bytes));
        m = m.replaceAll("[0-9a-f]{64}  " + java.util.regex.Pattern.quote(name), sha + "  " + name);
        rewrite(fs, manifest, m.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void noLoadableCheckpointIsAClearError() throws IOException {
        Path dir = freshDir("file");
        FileSystem fs = fsOf(dir);
        CheckpointStore store = CheckpointStore.open(fs, dir);
        IllegalStateException none = assertThrows(IllegalStateException.class, store::latest);
        assertTrue(none.getMessage().contains("no checkpoint in " + store.dir()), none.getMessage());
        assertTrue(store.latestIfAny().isEmpty());
        store.save(SPEC, synthetic(1), info(1, null), Map.of());
        fs.delete(new Path(new Path(dir, "ckpt-000001"), CheckpointStore.OPTIMIZER), false);
        IllegalStateException e = assertThrows(IllegalStateException.class, store::latest);
        assertTrue(e.getMessage().contains("no loadable checkpoint in " + store.dir())
                && e.getMessage().contains("optimizer.safetensors"), e.getMessage());
    }

    @Test
    void weightsClaimingAHugeTensorFallBackToThePreviousCheckpointBeforeAnyAllocation() throws IOException {
        Path dir = freshDir("file");
        FileSystem fs = fsOf(dir);
        CheckpointStore store = CheckpointStore.open(fs, dir);
        store.save(SPEC, synthetic(1), info(1, null), Map.of());
        store.save(SPEC, synthetic(2), info(2, null), Map.of());
        Path ck = new Path(dir, "ckpt-000002");
        // A well-formed header whose one tensor claims 4 TiB, followed by 8 bytes of data; the manifest is
        // rewritten to match, as a buggy or hostile writer would leave it.
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1048576,1048576],\"data_offsets\":[0,4398046511104]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] file = java.nio.ByteBuffer.allocate(8 + h.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).putLong(0).array();
        resign(fs, ck, CheckpointStore.WEIGHTS, file);
        Fallback f = latestWithWarning(fs, dir);
        assertEquals(1, f.checkpoint().round());
        assertTrue(f.warning().contains("truncated data") && f.warning().contains(CheckpointStore.WEIGHTS),
                f.warning());
    }

    @Test
    void unknownFormatVersionIsRefusedWithAMessage() throws IOException {
        Path dir = freshDir("file");
        FileSystem fs = fsOf(dir);
        CheckpointStore store = CheckpointStore.open(fs, dir);
        store.save(SPEC, synthetic(1), info(1, null), Map.of());
        Path ck = new Path(dir, "ckpt-000001");
        Path state = new Path(ck, CheckpointStore.STATE_JSON);
        String json;
        try (InputStream in = fs.open(state)) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(json.contains("\"formatVersion\" : 1"), json);
        byte[] newer = json.replace("\"formatVersion\" : 1", "\"formatVersion\" : 2").getBytes(StandardCharsets.UTF_8);
        // a genuine newer writer: its manifest matches
        resign(fs, ck, CheckpointStore.STATE_JSON, newer);
        IllegalStateException e = assertThrows(IllegalStateException.class, store::latest);
        System.out.println("refused: " + e.getMessage());
        assertTrue(e.getMessage().contains("formatVersion 2 is not supported") && e.getMessage().contains(
                "state.json"), e.getMessage());
    }

    static void rewrite(FileSystem fs, Path p, byte[] b) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            out.write(b);
        }
    }

    static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
