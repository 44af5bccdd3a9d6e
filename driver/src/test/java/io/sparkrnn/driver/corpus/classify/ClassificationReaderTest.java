package io.sparkrnn.driver.corpus.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.bad.BadReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassificationReaderTest extends SparkCorpusTest {
    @Test
    void spamAssassinFoldersAreLabelsAndNonUtf8FallsBack() {
        Corpus<LabelledText> c = ClassificationReader.folders(sc, sample("spam-assassin"), SPAM_FOLDERS, 0.0);
        assertEquals(450, c.count());
        Map<String, Long> byLabel = c.records().map(LabelledText::label).countByValue();
        assertEquals(Map.of("ham", 300L, "spam", 150L), byLabel);
        // SOURCE.md: 38 of the 450 files are not valid UTF-8; they are decoded as ISO-8859-1, not rejected
        assertEquals(38, c.fallbackDecoded());
        assertEquals(0, c.bad().total());
        // decoding is lossless: every text re-encodes (UTF-8, or ISO-8859-1 for the fallback) to the bytes whose
        // MD5 is in the file name
        long intact = c.records().filter(d -> {
            String md5 = d.file().replaceAll(".*/\\d+\\.([0-9a-f]{32})\\.txt$", "$1");
            return md5(d.text().getBytes(StandardCharsets.UTF_8)).equals(md5)
                    || md5(d.text().getBytes(StandardCharsets.ISO_8859_1)).equals(md5);
        }).count();
        assertEquals(450, intact);
    }

    @Test
    void aBinaryFileInALabelFolderIsSkippedAndNamed(@TempDir Path dir) throws Exception {
        for (String label : List.of("ham", "spam")) {
            java.nio.file.Files.createDirectories(dir.resolve(label));
            for (int i = 0; i < 3; i++) {
                java.nio.file.Files.writeString(dir.resolve(label).resolve(i + ".txt"), "Subject: " + label + " " + i
                        + "\r\n\r\nCaf\u00e9 au lait, " + i + " fois.\r\n");
            }
        }
        // an ELF program: the magic, then NUL-padded header fields
        byte[] elf = new byte[512];
        System.arraycopy(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1}, 0, elf, 0, 7);
        Path program = dir.resolve("spam").resolve("a.out");
        java.nio.file.Files.write(program, elf);
        Corpus<LabelledText> c = ClassificationReader.folders(sc, dir.toString(),
                Map.of("ham", "ham", "spam", "spam"), 0.5);
        assertEquals(6, c.count());
        assertEquals(1, c.bad().count(BadReason.BINARY));
        assertTrue(c.bad().describe().contains("a.out: binary file, not text"), c.bad().describe());
        assertEquals(0, c.fallbackDecoded());
    }

    @Test
    void textInAnyEightBitEncodingIsNotBinary() {
        assertTrue(!ClassificationReader.looksBinary("Caf\u00e9\tcr\u00e8me\r\n\f\u001b[0m".getBytes(
                StandardCharsets.ISO_8859_1)));
        assertTrue(!ClassificationReader.looksBinary("na\u00efve \u2014 r\u00e9sum\u00e9\n".getBytes(
                StandardCharsets.UTF_8)));
        assertTrue(ClassificationReader.looksBinary(new byte[] {'a', 'b', 0, 'c'}));
        assertTrue(ClassificationReader.looksBinary(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 'a', 'b'}));
        assertTrue(!ClassificationReader.looksBinary(new byte[0]));
    }

    static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    @Test
    void classificationFromSpamAssassin(@TempDir Path dir) {
        List<LabelledText> ref = ClassificationReader.folders(sc, sample("spam-assassin"),
                SPAM_FOLDERS, 0.0).records().collect();
        List<Row> rows = new ArrayList<>();
        for (LabelledText d : ref) {
            rows.add(RowFactory.create(d.label(), d.text()));
        }
        rows.add(RowFactory.create("spam", null));
        String path = writeParquet(dir, rows, STRINGS2, 2);
        Corpus<LabelledText> c = ClassificationReader.parquet(sc, path, "a", "b", 0.01);
        assertEquals(ref.stream().map(d -> d.label() + "\t" + d.text()).sorted().toList(),
                c.records().map(d -> d.label() + "\t" + d.text()).collect().stream().sorted().toList());
        assertEquals(1, c.bad().count(BadReason.NULL_VALUE));
        assertTrue(c.records().first().file().contains("part-0000"));
    }
}
