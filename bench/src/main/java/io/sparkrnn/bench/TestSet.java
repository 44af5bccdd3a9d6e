package io.sparkrnn.bench;

import io.sparkrnn.driver.corpus.pairs.TranslationScores;
import io.sparkrnn.jobs.Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test part of an exported split ({@code source<TAB>target} lines) as {@code bench seq2seq} scores it: each
 * source once, in the file's order of first appearance, against every target the part holds for it.
 *
 * @param sources    the distinct sources' texts
 * @param references each source's references, in the order of {@code sources}
 */
record TestSet(List<String> sources, List<List<String>> references) {

    /** Reads {@code file}; a line without exactly one TAB is an {@link IllegalStateException} naming it. */
    static TestSet read(Location file) {
        String text;
        try {
            text = file.readString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, List<String>> refs = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isEmpty() && i == lines.length - 1) {
                break;
            }
            String[] cols = lines[i].split("\t", -1);
            if (cols.length != 2) {
                throw new IllegalStateException(file + ":" + (i + 1) + ": expected source<TAB>target");
            }
            refs.computeIfAbsent(cols[0], k -> new ArrayList<>()).add(cols[1]);
        }
        return new TestSet(List.copyOf(refs.keySet()), List.copyOf(refs.values()));
    }

    /** Our BLEU and chrF of {@code outputs}, one for each source in order. */
    TranslationScores score(List<String> outputs) {
        if (outputs.size() != sources.size()) {
            throw new IllegalStateException("expected " + sources.size() + " outputs, one for each test source, found "
                    + outputs.size());
        }
        TranslationScores t = new TranslationScores();
        for (int i = 0; i < outputs.size(); i++) {
            t.add(outputs.get(i), references.get(i));
        }
        return t;
    }
}
