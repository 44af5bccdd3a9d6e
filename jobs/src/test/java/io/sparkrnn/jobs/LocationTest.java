package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.jobs.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain paths are local files as java.nio sees them; URIs choose their file system; unknown schemes are refused. */
class LocationTest {

    @Test
    void aPlainPathIsLocalAndNamedAsGiven(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("odd \"name\" 100%22");
        Files.createDirectories(dir);
        Location l = Location.of(dir.toString(), "output.dir");
        assertTrue(l.isLocal() && l.isFolder());
        // an existing folder's URI ends in '/': its name and parent are still its own
        assertEquals(dir.getFileName().toString(), l.name());
        assertEquals(tmp.toString(), l.parent().toString());
        assertEquals(dir.resolve("f.txt").toString(), l.resolve("f.txt").toString());
        l.resolve("f.txt").writeString("é\n");
        assertArrayEquals("é\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Files.readAllBytes(dir.resolve("f.txt")));
        l.resolve("f.txt").writeString("replaced");
        assertEquals("replaced", Files.readString(dir.resolve("f.txt")));
        assertEquals(List.of("f.txt"), l.list(true), "no .crc or temporary files beside it");
        assertEquals(dir.toAbsolutePath().toString(), l.absolute());
    }

    @Test
    void aFileUriIsLocal(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("a.txt"), "x");
        Location l = Location.of(tmp.toUri().toString() + "a.txt", "--data");
        assertTrue(l.isLocal() && l.isFile());
        assertEquals("x", l.readString());
    }

    @Test
    void aSchemeWithNoFileSystemIsAConfigErrorSayingWhatToAdd() {
        ConfigException s3 = assertThrows(ConfigException.class, () -> Location.of("s3a://bucket/x", "output.dir"));
        assertEquals("output.dir s3a://bucket/x: no Hadoop file system for scheme 's3a' on the class path; for S3 "
                + "add hadoop-aws matching Spark's Hadoop 3.3.4 (spark-submit --packages "
                + "org.apache.hadoop:hadoop-aws:3.3.4, or its jar and the AWS SDK bundle with --jars), use s3a://, and "
                + "give credentials in Hadoop's config (fs.s3a.* in core-site.xml or spark.hadoop.*)", s3.getMessage());
        ConfigException foo = assertThrows(ConfigException.class, () -> Location.of("foo://h/x", "--output"));
        assertTrue(foo.getMessage().startsWith("--output foo://h/x: no Hadoop file system for scheme 'foo' on the "
                + "class path; file:// and hdfs:// work"), foo.getMessage());
        assertFalse(Files.exists(Path.of("s3a:")) || Files.exists(Path.of("foo:")));
    }
}
