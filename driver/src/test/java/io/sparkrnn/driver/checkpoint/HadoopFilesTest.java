package io.sparkrnn.driver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage helpers: a hashed write, a whole read, a close after a failure. */
class HadoopFilesTest {
    @Test
    void aHashedWriteReturnsTheSha256OfWhatItWroteAndRefusesAnExistingFile(@TempDir java.nio.file.Path tmp)
            throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path p = new Path(tmp.resolve("abc.txt").toUri());
        String sum = HadoopFiles.writeHashed(fs, p, out -> out.write("abc".getBytes(StandardCharsets.UTF_8)));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sum);
        assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), HadoopFiles.read(fs, p));
        assertEquals(sum, HadoopFiles.sha256Hex(HadoopFiles.read(fs, p)));
        IOException e = assertThrows(IOException.class, () -> HadoopFiles.writeHashed(fs, p, out -> out.write(1)));
        assertTrue(e.getMessage().startsWith("writing " + p), e.getMessage());
        assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), HadoopFiles.read(fs, p), "the file stays");
    }

    /**
     * An HDFS output stream whose write failed throws the same exception again from close(); closing after the failure
     * must not try to suppress it by itself (an IllegalArgumentException that would hide the storage error).
     */
    @Test
    void closeAfterAFailureThatCloseRethrowsKeepsTheFailure() {
        IOException failure = new IOException("All datanodes are bad. Aborting...");
        HadoopFiles.closeAfter(() -> {
            throw failure;
        }, failure);
        assertEquals(0, failure.getSuppressed().length);
        IOException other = new IOException("close failed too");
        HadoopFiles.closeAfter(() -> {
            throw other;
        }, failure);
        assertArrayEquals(new Throwable[] {other}, failure.getSuppressed());
    }
}
