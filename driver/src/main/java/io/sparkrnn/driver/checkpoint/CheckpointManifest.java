package io.sparkrnn.driver.checkpoint;

import io.sparkrnn.driver.checkpoint.CheckpointStore.DamagedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The manifest of a checkpoint folder ({@link CheckpointStore#MANIFEST}): {@code "<sha256>  <file>"} for every
 * other file, written last, checked when a save is complete and on every load.
 */
final class CheckpointManifest {
    private CheckpointManifest() {
    }

    /** The manifest's text of {@code sums} (file name to SHA-256 hex, in writing order), as sha256sum writes it. */
    static byte[] text(Map<String, String> sums) {
        StringBuilder m = new StringBuilder();
        sums.forEach((f, h) -> m.append(h).append("  ").append(f).append('\n'));
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The manifest of checkpoint folder {@code ck}: file name to SHA-256 hex. */
    static Map<String, String> read(FileSystem fs, Path ck) throws DamagedException {
        Path p = new Path(ck, CheckpointStore.MANIFEST);
        String text;
        try {
            text = new String(HadoopFiles.read(fs, p), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DamagedException(p + ": cannot read: " + e.getMessage(), e);
        }
        return CheckpointCodec.parseManifest(p, text);
    }

    /** The bytes of {@code ck/file}, which must match their SHA-256 in {@code manifest}. */
    static byte[] readVerified(FileSystem fs, Path ck, String file, Map<String, String> manifest)
            throws DamagedException {
        Path p = new Path(ck, file);
        byte[] b;
        try {
            b = HadoopFiles.read(fs, p);
        } catch (IOException e) {
            throw new DamagedException(p + ": cannot read: " + e.getMessage(), e);
        }
        String found = HadoopFiles.sha256Hex(b);
        if (!found.equals(manifest.get(file))) {
            throw new DamagedException(p + ": sha256 " + found + " does not match the manifest's "
                    + manifest.get(file), null);
        }
        return b;
    }

    /** Re-reads every file of a freshly written checkpoint folder against its manifest. */
    static void verify(FileSystem fs, Path ck) throws IOException {
        Map<String, String> manifest = read(fs, ck);
        for (String f : manifest.keySet()) {
            readVerified(fs, ck, f, manifest);
        }
    }
}
