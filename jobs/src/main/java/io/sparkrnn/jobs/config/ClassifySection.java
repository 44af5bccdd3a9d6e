package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.corpus.text.TokenUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys only the classifier reads.
 *
 * @param tokens       {@code data.tokens}: characters, whitespace-separated words, or those words cut into
 *                     byte-pair-encoding pieces
 * @param lowercase    {@code data.lowercase}
 * @param maxLength    {@code data.max-length}: tokens kept from the start of each text
 * @param folderLabels {@code data.folders} parsed: folder to label, in order; empty when every folder is its own
 *                     label (and for the other tasks, which do not read the key)
 * @param bpeMerges    {@code data.bpe-merges}: merges learned for {@code bpe} tokens
 */
public record ClassifySection(TokenUnit tokens, boolean lowercase, int maxLength, Map<String, String> folderLabels,
        int bpeMerges) {

    static ClassifySection of(JobConfig c, String task) {
        return new ClassifySection(Units.of(c, "data.tokens"), c.getBoolean("data.lowercase"),
                c.getInt("data.max-length"), task.equals("classify") ? folderLabels(c) : Map.of(),
                c.getInt("data.bpe-merges"));
    }

    /** {@code data.folders} as folder:label pairs separated by commas. */
    private static Map<String, String> folderLabels(JobConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        String spec = c.getString("data.folders").trim();
        if (spec.isEmpty()) {
            return Map.of();
        }
        for (String pair : spec.split(",")) {
            String[] fl = pair.trim().split(":");
            if (fl.length != 2 || fl[0].isBlank() || fl[1].isBlank()) {
                throw new ConfigException(c.source() + ": data.folders expects folder:label pairs separated by "
                        + "commas, found '" + pair.trim() + "'");
            }
            m.put(fl[0].trim(), fl[1].trim());
        }
        return Collections.unmodifiableMap(m);
    }
}
