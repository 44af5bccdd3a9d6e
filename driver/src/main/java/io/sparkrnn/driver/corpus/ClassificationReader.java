package io.sparkrnn.driver.corpus;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** Labelled texts: {@code label<TAB>text} lines, or one folder per label holding one document a file. */
public final class ClassificationReader {
    private ClassificationReader() {
    }

    /**
     * {@code label<TAB>text} lines (split at the first TAB; the text may hold more TABs). A line without a TAB
     * is a {@link BadReason#WRONG_COLUMN_COUNT}, an empty label {@link BadReason#EMPTY_TARGET}.
     */
    public static Corpus<LabelledText> tsv(JavaSparkContext sc, String path, double maxBadFraction) {
        BadRecords bad = new BadRecords(sc, path, maxBadFraction);
        JavaRDD<LabelledText> rdd = Lines.read(sc, path, bad).flatMap(l -> {
            if (l.text().isBlank()) {
                return Collections.emptyIterator();
            }
            int tab = l.text().indexOf('\t');
            if (tab < 0) {
                bad.skip(l.file(), l.number(), BadReason.WRONG_COLUMN_COUNT, "expected label<TAB>text");
                return Collections.emptyIterator();
            }
            String label = l.text().substring(0, tab).trim();
            if (label.isEmpty()) {
                bad.skip(l.file(), l.number(), BadReason.EMPTY_TARGET, "empty label");
                return Collections.emptyIterator();
            }
            return List.of(new LabelledText(label, l.text().substring(tab + 1), l.file())).iterator();
        });
        return Corpus.load(rdd, bad);
    }

    /**
     * One document per file in the folders {@code root/<folder>} named by {@code folderLabels} (folder name to
     * label; other files and folders under root are not read). Documents are raw bytes: decoded as strict UTF-8,
     * and when that fails as ISO-8859-1 (every byte is a character, so nothing is lost or rejected); such
     * documents are counted in {@link Corpus#fallbackDecoded()}, not as bad.
     */
    public static Corpus<LabelledText> folders(JavaSparkContext sc, String root, Map<String, String> folderLabels,
            double maxBadFraction) {
        if (folderLabels.isEmpty()) {
            throw new IllegalArgumentException("folderLabels must name at least one folder");
        }
        Map<String, String> labels = new TreeMap<>(folderLabels);
        String glob = root + "/{" + String.join(",", labels.keySet()) + "}";
        Inputs.require(sc, glob);
        BadRecords bad = new BadRecords(sc, root, maxBadFraction);
        JavaRDD<LabelledText> rdd = sc.binaryFiles(glob).map(f -> {
            String folder = new Path(f._1()).getParent().getName();
            byte[] bytes = f._2().toArray();
            String text = Lines.decodeUtf8(bytes, bytes.length);
            if (text == null) {
                bad.fallbackDecoded();
                text = new String(bytes, StandardCharsets.ISO_8859_1);
            }
            return new LabelledText(labels.get(folder), text, f._1());
        });
        return Corpus.load(rdd, bad);
    }
}
