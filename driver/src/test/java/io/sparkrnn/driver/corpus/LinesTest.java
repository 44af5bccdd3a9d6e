package io.sparkrnn.driver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkrnn.driver.corpus.bad.BadRecords;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinesTest extends SparkCorpusTest {

    @Test
    void lineNumbersCrLfAndALastLineWithoutNewline(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a.txt"), "one\r\ntwo\n\nfour".getBytes(StandardCharsets.UTF_8));
        BadRecords bad = new BadRecords(sc, dir.toString());
        List<Line> lines = Lines.read(sc, dir.resolve("a.txt").toString(), bad).collect();
        assertEquals(List.of("1:one", "2:two", "3:", "4:four"),
                lines.stream().map(l -> l.number() + ":" + l.text()).toList());
    }

    /** Plain-text ingest throughput on local[2]: Moby Dick repeated into 4 files of ~32 MB (docs/benchmarks.md). */
    @Test
    void ingestThroughput(@TempDir Path dir) throws Exception {
        byte[] moby = Files.readAllBytes(Path.of(sample("moby-dick/moby-dick.txt")));
        int copies = 70;
        for (int f = 0; f < 4; f++) {
            try (OutputStream out = Files.newOutputStream(dir.resolve("part-" + f + ".txt"))) {
                for (int i = 0; i < copies; i++) {
                    out.write(moby);
                }
            }
        }
        long bytes = 4L * copies * moby.length;
        BadRecords bad = new BadRecords(sc, dir.toString());
        Lines.read(sc, dir.toString(), bad).count(); // warm-up
        long t0 = System.nanoTime();
        long lines = Lines.read(sc, dir.toString(), bad).count();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("plain-text ingest (read + strict UTF-8 decode + line split), local[2], %d MB in 4 files: "
                + "%.1f MB/s%n", bytes >> 20, bytes / 1e6 / s);
        assertEquals(4L * copies * 8109, lines);
        assertEquals(0, bad.report().total());
    }
}
