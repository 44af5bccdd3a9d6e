package io.sparkrnn.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code MANIFEST.sha256} of a model folder, as a checkpoint has one: {@code <sha256>  <file>} per file of the
 * folder (what {@code sha256sum -c} reads), written last, verified on every load, on any file system. A folder
 * from before manifests has none and loads as it is.
 */
public final class ModelManifest {
    public static final String NAME = "MANIFEST.sha256";
    private static final Pattern LINE = Pattern.compile("([0-9a-f]{64})  (\\S+)");

    private ModelManifest() {
    }

    /** Writes the manifest of every file now in {@code dir}. */
    static void write(Location dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : hashes(dir).entrySet()) {
            sb.append(e.getValue()).append("  ").append(e.getKey()).append('\n');
        }
        dir.resolve(NAME).writeString(sb.toString());
    }

    /**
     * Checks the folder against its manifest: every listed file present with its hash, no file unlisted. Returns
     * false when the folder has no manifest; throws {@link InputException} naming the file that does not match.
     */
    public static boolean verify(Location dir) {
        Location manifest = dir.resolve(NAME);
        Map<String, String> listed = new LinkedHashMap<>();
        try {
            if (!manifest.exists()) {
                return false;
            }
            List<String> lines = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(manifest.readBytes()))
                    .toString().lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = LINE.matcher(lines.get(i));
                if (!m.matches()) {
                    throw new InputException(manifest + " line " + (i + 1) + ": expected \"<sha256 hex>  <file>\", "
                            + "found \"" + lines.get(i) + "\"");
                }
                listed.put(m.group(2), m.group(1));
            }
            Map<String, String> actual = hashes(dir);
            for (Map.Entry<String, String> e : listed.entrySet()) {
                String h = actual.get(e.getKey());
                if (h == null) {
                    throw new InputException("the model in " + dir + " lacks " + e.getKey() + ", which " + NAME
                            + " lists");
                }
                if (!h.equals(e.getValue())) {
                    throw new InputException(dir.resolve(e.getKey()) + " does not match " + NAME + " (damaged or "
                            + "edited since the model was written)");
                }
            }
            for (String f : actual.keySet()) {
                if (!listed.containsKey(f)) {
                    throw new InputException(dir.resolve(f) + " is not in " + NAME + " (added after the model was "
                            + "written)");
                }
            }
            return true;
        } catch (CharacterCodingException e) {
            throw new InputException(manifest + " is not UTF-8 text (damaged or edited since the model was written)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot verify the model in " + dir, e);
        }
    }

    /** File name to sha256 of every regular file in {@code dir} but the manifest, by name. */
    private static Map<String, String> hashes(Location dir) throws IOException {
        Map<String, String> h = new TreeMap<>();
        for (String name : dir.list(true)) {
            if (!name.equals(NAME)) {
                h.put(name, sha256(dir.resolve(name)));
            }
        }
        return h;
    }

    /** The sha256 (hex) of a file. */
    static String sha256(Location f) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (var in = new DigestInputStream(f.open(), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
