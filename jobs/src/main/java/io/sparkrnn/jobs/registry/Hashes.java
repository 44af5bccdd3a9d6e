package io.sparkrnn.jobs.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** sha256 in hex, and the fingerprint of a version's inputs. */
public final class Hashes {
    private Hashes() {
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sha256 of a config's text (UTF-8), as its {@code config.conf} holds it. */
    public static String configSha256(String configText) {
        return sha256(configText.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The fingerprint of a version's inputs: the data (each path's listing hash, in the given order), the config's
     * hash and the parent version (0 for none). Two runs with the same fingerprint start from the same weights with
     * the same settings on the same files, so {@code refresh} computes it before training and skips a run whose
     * fingerprint {@link Registry#find} already knows.
     */
    public static String fingerprint(List<DataFingerprint> data, String configSha256, Integer parent) {
        StringBuilder sb = new StringBuilder("spark-rnn-registry-fingerprint 1\n");
        for (DataFingerprint d : data) {
            sb.append("data ").append(d.path()).append('\t').append(d.listingSha256()).append('\n');
        }
        sb.append("config ").append(configSha256).append('\n');
        sb.append("parent ").append(parent == null ? 0 : parent).append('\n');
        return sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
