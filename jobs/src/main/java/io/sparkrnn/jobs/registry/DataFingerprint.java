package io.sparkrnn.jobs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.jobs.InputException;
import io.sparkrnn.jobs.Location;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * What a data path held when a version was trained on it, by file sizes and modification times (not content
 * checksums: reading a corpus of many gigabytes to register a model would cost as much as a round of training): the
 * number of files and their bytes, the newest modification time, and the sha256 of the listing
 * ({@code <relative path> TAB <bytes> TAB <modified ms>} per file, sorted), which changes when any file is added,
 * removed, resized or touched.
 *
 * @param path the path as the config names it
 * @param files regular files under it (1 for a file)
 * @param bytes their total size
 * @param modified the newest modification time, ISO-8601 UTC
 * @param listingSha256 the sha256 of the listing
 */
public record DataFingerprint(String path, long files, long bytes, String modified, String listingSha256) {

    /**
     * The fingerprint of a file, a folder (all files under it) or a glob (all files under its matches, named
     * relative to the folder above the first wildcard) on any Hadoop file system.
     */
    public static DataFingerprint of(String path) {
        Location where = Location.of(path, "data");
        try {
            FileStatus[] matched;
            Path base;
            if (path.matches(".*[*?\\[{].*")) {
                matched = where.fs().globStatus(where.path());
                if (matched == null || matched.length == 0) {
                    throw new InputException("data " + path + " matches no files: cannot fingerprint it");
                }
                base = where.path();
                while (base.getParent() != null && base.toUri().getPath().matches(".*[*?\\[{].*")) {
                    base = base.getParent();
                }
            } else {
                try {
                    matched = new FileStatus[] {where.fs().getFileStatus(where.path())};
                } catch (FileNotFoundException e) {
                    throw new InputException("data " + path + " does not exist: cannot fingerprint it");
                }
                base = matched[0].isFile() ? matched[0].getPath().getParent() : matched[0].getPath();
            }
            List<String> lines = new ArrayList<>();
            long bytes = 0;
            long newest = 0;
            String prefix = where.fs().makeQualified(base).toUri().getPath();
            for (FileStatus root : matched) {
                RemoteIterator<LocatedFileStatus> it = where.fs().listFiles(root.getPath(), true);
                while (it.hasNext()) {
                    LocatedFileStatus f = it.next();
                    String p = f.getPath().toUri().getPath();
                    String rel = p.startsWith(prefix + "/") ? p.substring(prefix.length() + 1) : p;
                    lines.add(rel + "\t" + f.getLen() + "\t" + f.getModificationTime());
                    bytes += f.getLen();
                    newest = Math.max(newest, f.getModificationTime());
                }
            }
            lines.sort(null);
            StringBuilder sb = new StringBuilder();
            for (String l : lines) {
                sb.append(l).append('\n');
            }
            return new DataFingerprint(path, lines.size(), bytes, Instant.ofEpochMilli(newest).toString(),
                    Hashes.sha256(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the data " + path, e);
        }
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("path", path);
        n.put("files", files);
        n.put("bytes", bytes);
        n.put("modified", modified);
        n.put("listing_sha256", listingSha256);
        return n;
    }

    static DataFingerprint fromJson(JsonNode n) {
        return new DataFingerprint(n.path("path").asText(), n.path("files").asLong(), n.path("bytes").asLong(),
                n.path("modified").asText(), n.path("listing_sha256").asText());
    }
}
