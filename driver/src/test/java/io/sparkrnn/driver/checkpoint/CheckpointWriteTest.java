package io.sparkrnn.driver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Saving: a save that fails midway changes nothing visible, and what it left is cleaned at the next open. */
class CheckpointWriteTest extends CheckpointTesting {
    /** A file system whose output streams throw once {@code limit} bytes in total were written. */
    static final class FailingFileSystem extends FilterFileSystem {
        final AtomicLong written = new AtomicLong();
        final long limit;
        boolean deletesFail;

        FailingFileSystem(FileSystem fs, long limit) {
            super(fs);
            this.limit = limit;
            setConf(fs.getConf());
        }

        @Override
        public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                short replication, long blockSize, Progressable progress) throws IOException {
            FSDataOutputStream inner = super.create(f, permission, overwrite, bufferSize, replication, blockSize,
                    progress);
            OutputStream failing = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (written.addAndGet(len) > limit) {
                        throw new IOException("injected failure after " + limit + " bytes (writing " + f + ")");
                    }
                    inner.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    inner.close();
                }
            };
            return new FSDataOutputStream(failing, null);
        }

        @Override
        public boolean delete(Path f, boolean recursive) throws IOException {
            if (deletesFail) {
                throw new IOException("injected: the process died before it could clean up " + f);
            }
            return super.delete(f, recursive);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs"})
    void writeFailingMidwayLeavesLatestOnThePreviousCheckpointAndOpenCleansUp(String kind) throws IOException {
        Path dir = freshDir(kind);
        FileSystem fs = fsOf(dir);
        CheckpointStore.open(fs, dir).save(SPEC, synthetic(1), info(1, null), Map.of());

        FailingFileSystem failing = new FailingFileSystem(fs, 3000); // past model.json, inside the weights
        failing.deletesFail = true;
        CheckpointStore broken = CheckpointStore.open(fs, dir);
        CheckpointStore viaFailing = openWith(failing, dir);
        IOException e = assertThrows(IOException.class,
                () -> viaFailing.save(SPEC, synthetic(2), info(2, null), Map.of()));
        System.out.println("failed save: " + e.getMessage());
        assertTrue(e.getMessage().contains("ckpt-000002") && e.getMessage().contains("injected failure"),
                e.getMessage());

        assertEquals("ckpt-000001", broken.latestPointer());
        assertEquals(List.of(1L), broken.rounds());
        assertEquals(1, broken.latest().round());
        List<String> leftovers = names(fs, dir).stream().filter(n -> n.startsWith("_tmp-")).toList();
        assertEquals(1, leftovers.size(), "the interrupted save leaves its temporary folder: " + names(fs, dir));

        CheckpointStore reopened = CheckpointStore.open(fs, dir);
        assertTrue(names(fs, dir).stream().noneMatch(n -> n.startsWith("_")), "leftovers: " + names(fs, dir));
        assertEquals(1, reopened.latest().round());
        reopened.save(SPEC, synthetic(2), info(2, null), Map.of());
        assertEquals(2, reopened.latest().round());
    }

    /** Opens with a file system that may fail: the probe goes through the real one (the failure is later). */
    private static CheckpointStore openWith(FailingFileSystem failing, Path dir) throws IOException {
        long saved = failing.written.get();
        boolean deletes = failing.deletesFail;
        failing.deletesFail = false;
        CheckpointStore s = CheckpointStore.open(failing, dir);
        failing.written.set(saved);
        failing.deletesFail = deletes;
        return s;
    }

    @Test
    void unwritableDirectoryIsReportedAtOpen() throws IOException {
        File file = new File(tmp, "not-a-dir-" + UUID.randomUUID());
        Files.writeString(file.toPath(), "x");
        String dir = file.toURI() + "/checkpoints";
        IOException e = assertThrows(IOException.class, () -> CheckpointStore.open(dir, new Configuration()));
        assertTrue(e.getMessage().contains("checkpoint directory") && e.getMessage().contains(file.getName()),
                e.getMessage());
    }

    static List<String> names(FileSystem fs, Path dir) throws IOException {
        List<String> n = new ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            n.add(s.getPath().getName());
        }
        return n;
    }
}
