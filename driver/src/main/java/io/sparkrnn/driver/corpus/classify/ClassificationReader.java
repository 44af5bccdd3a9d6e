package io.sparkrnn.driver.corpus.classify;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Inputs;
import io.sparkrnn.driver.corpus.Lines;
import io.sparkrnn.driver.corpus.ParquetInput;
import io.sparkrnn.driver.corpus.bad.BadReason;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Labelled texts: {@code label<TAB>text} lines, one folder per label holding one document a file, or label and
 * text columns of Parquet files.
 */
public final class ClassificationReader {
    /** Files read by one task of the folders reader (at least one task per core). */
    private static final int FILES_PER_SLICE = 500;

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
     * documents are counted in {@link Corpus#fallbackDecoded()}, not as bad. A file that is not text at all (a
     * program, an image: {@link #looksBinary}) is skipped and reported as {@link BadReason#BINARY}.
     */
    public static Corpus<LabelledText> folders(JavaSparkContext sc, String root, Map<String, String> folderLabels,
            double maxBadFraction) {
        if (folderLabels.isEmpty()) {
            throw new IllegalArgumentException("folderLabels must name at least one folder");
        }
        Map<String, String> labels = new TreeMap<>(folderLabels);
        String glob = root + "/{" + String.join(",", labels.keySet()) + "}";
        // Not sc.binaryFiles: it packs the files into a few combined splits, and every file's record deserializes
        // its whole split again (PortableDataStream.getPath), so reading is quadratic in the files per split
        // (over ten minutes for the 6,046 e-mails of the full corpus on a busy 2-core machine). Listed on the
        // driver and opened one by one, reading is linear.
        List<String> files = new ArrayList<>();
        for (FileStatus f : Inputs.files(sc, glob)) {
            files.add(f.getPath().toString());
        }
        int slices = Math.max(sc.defaultParallelism(), (files.size() + FILES_PER_SLICE - 1) / FILES_PER_SLICE);
        Broadcast<SerializableConfiguration> conf = sc.broadcast(new SerializableConfiguration(
                sc.hadoopConfiguration()));
        BadRecords bad = new BadRecords(sc, root, maxBadFraction);
        JavaRDD<LabelledText> rdd = sc.parallelize(files, Math.min(slices, files.size())).flatMap(file -> {
            Path path = new Path(file);
            byte[] bytes;
            try (FSDataInputStream in = path.getFileSystem(conf.value().value()).open(path)) {
                bytes = in.readAllBytes();
            }
            if (looksBinary(bytes)) {
                bad.skip(file, 0, BadReason.BINARY, null);
                return Collections.emptyIterator();
            }
            String text = Lines.decodeUtf8(bytes, bytes.length);
            if (text == null) {
                bad.fallbackDecoded();
                text = new String(bytes, StandardCharsets.ISO_8859_1);
            }
            return List.of(new LabelledText(labels.get(path.getParent().getName()), text, file)).iterator();
        });
        return Corpus.load(rdd, bad);
    }

    /**
     * Whether {@code bytes} are not text in any 8-bit or UTF-8 encoding: a NUL byte in the first 8 KiB, or more
     * than 10% of those bytes C0 control characters other than tab, line feed, form feed, carriage return and
     * escape. Text in UTF-8 or ISO-8859-1 (e-mails included) has neither; programs, images and archives have both.
     */
    static boolean looksBinary(byte[] bytes) {
        int n = Math.min(bytes.length, 8192);
        int control = 0;
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xFF;
            if (b == 0) {
                return true;
            }
            if (b < 0x20 && b != '\t' && b != '\n' && b != '\f' && b != '\r' && b != 0x1B) {
                control++;
            }
        }
        return control * 10 > n;
    }

    /**
     * Parquet {@code label} (a string or a number, taken as its text) and {@code text} (a string) columns. A null
     * is a {@link BadReason#NULL_VALUE}, a blank label a {@link BadReason#EMPTY_TARGET}.
     */
    public static Corpus<LabelledText> parquet(JavaSparkContext sc, String path, String label, String text,
            double maxBadFraction) {
        Dataset<Row> df = ParquetInput.frame(sc, path, List.of(label, text));
        DataType lt = ParquetInput.type(df, 0);
        if (!(lt.equals(DataTypes.StringType) || lt instanceof NumericType)) {
            throw new CorpusException("Parquet " + path + ": column '" + label + "' must be a string or a number,"
                    + " found " + lt.simpleString());
        }
        ParquetInput.requireText(df, 1, false, path);
        BadRecords bad = new BadRecords(sc, path, maxBadFraction);
        JavaRDD<LabelledText> rdd = df.javaRDD().flatMap(r -> {
            if (r.isNullAt(2) || r.isNullAt(3)) {
                bad.skip(ParquetInput.file(r), ParquetInput.row(r), BadReason.NULL_VALUE, "column "
                        + (r.isNullAt(2) ? label : text));
                return ParquetInput.none();
            }
            String l = String.valueOf(r.get(2)).trim();
            if (l.isEmpty()) {
                bad.skip(ParquetInput.file(r), ParquetInput.row(r), BadReason.EMPTY_TARGET, "empty label");
                return ParquetInput.none();
            }
            return List.of(new LabelledText(l, r.getString(3), ParquetInput.file(r))).iterator();
        });
        return Corpus.load(rdd, bad);
    }
}
