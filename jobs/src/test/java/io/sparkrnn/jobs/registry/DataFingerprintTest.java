package io.sparkrnn.jobs.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.jobs.InputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data path's fingerprint, its listing computed here: a file by its name, a folder by the paths under it, a glob
 * (data.train = {@code brown/c[a-r][0-9][0-9]}) by the paths of its matches under the folder above the wildcard;
 * a file the glob does not match changes nothing, a matched one resized or touched changes the listing.
 */
class DataFingerprintTest {
    @TempDir
    Path tmp;
    Path a;

    @BeforeEach
    void files() throws Exception {
        a = tmp.resolve("a");
        Files.createDirectories(a.resolve("sub"));
        write(a.resolve("x1"), "one", 1_000);
        write(a.resolve("x2"), "two two", 2_000);
        write(a.resolve("y1"), "other", 3_000);
        write(a.resolve("sub/x3"), "three", 4_000);
    }

    private static void write(Path p, String text, long seconds) throws Exception {
        Files.writeString(p, text);
        Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(seconds)));
    }

    private static String line(String rel, long bytes, long seconds) {
        return rel + "\t" + bytes + "\t" + seconds * 1000 + "\n";
    }

    private static String sha(String listing) {
        return Hashes.sha256(listing.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFileAFolderAndAGlobAreListedByTheirRelativePaths() {
        DataFingerprint file = DataFingerprint.of(a.resolve("x2").toString());
        assertEquals(new DataFingerprint(a.resolve("x2").toString(), 1, 7, "1970-01-01T00:33:20Z",
                sha(line("x2", 7, 2_000))), file);

        DataFingerprint folder = DataFingerprint.of(a.toString());
        assertEquals(4, folder.files());
        assertEquals(3 + 7 + 5 + 5, folder.bytes());
        assertEquals(sha(line("sub/x3", 5, 4_000) + line("x1", 3, 1_000) + line("x2", 7, 2_000)
                + line("y1", 5, 3_000)), folder.listingSha256());

        String pattern = a + "/x[0-9]";
        DataFingerprint glob = DataFingerprint.of(pattern);
        assertEquals(pattern, glob.path());
        assertEquals(2, glob.files());
        assertEquals(10, glob.bytes());
        assertEquals("1970-01-01T00:33:20Z", glob.modified());
        assertEquals(sha(line("x1", 3, 1_000) + line("x2", 7, 2_000)), glob.listingSha256());
        // a glob of folders: the files under each match, named from the folder above the wildcard
        assertEquals(sha(line("a/sub/x3", 5, 4_000)), DataFingerprint.of(tmp + "/[a]/s*").listingSha256());
    }

    @Test
    void onlyTheFilesAGlobMatchesCount() throws Exception {
        String pattern = a + "/x*";
        DataFingerprint before = DataFingerprint.of(pattern);
        write(a.resolve("y1"), "other, longer", 9_000);
        write(a.resolve("y2"), "new", 9_000);
        assertEquals(before, DataFingerprint.of(pattern), "files the glob does not match");
        write(a.resolve("x1"), "one", 5_000);
        assertNotEquals(before.listingSha256(), DataFingerprint.of(pattern).listingSha256(), "a matched file touched");
        write(a.resolve("x3"), "three", 1_000);
        assertEquals(3, DataFingerprint.of(pattern).files(), "a file added that the glob matches");
    }

    @Test
    void aGlobThatMatchesNothingIsBadInputNamingIt() {
        String pattern = a + "/z*";
        InputException e = assertThrows(InputException.class, () -> DataFingerprint.of(pattern));
        assertTrue(e.getMessage().contains("data " + pattern + " matches no files"), e.getMessage());
        InputException none = assertThrows(InputException.class, () -> DataFingerprint.of(a + "/zz"));
        assertTrue(none.getMessage().contains("does not exist"), none.getMessage());
    }
}
