package io.sparkrnn.driver.corpus.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.testutil.MiniHdfs;
import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.Arrays;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The language-model reader on {@code hdfs://} (an in-process MiniDFSCluster): byte-range splits with seeks. */
class LmTextReaderHdfsTest extends SparkCorpusTest {
    static MiniDFSCluster hdfs;
    @TempDir
    static File tmp;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = MiniHdfs.start(tmp);
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    @Test
    void twoFilesOnHdfsEqualCharCorpus() throws Exception {
        byte[] moby = Files.readAllBytes(java.nio.file.Path.of(LmTextReaderTest.MOBY));
        int cut = moby.length / 2;
        while (moby[cut - 1] != '\n') {
            cut++;
        }
        String dir = hdfs.getURI() + "/corpus";
        FileSystem fs = new Path(dir).getFileSystem(hdfs.getConfiguration(0));
        try (OutputStream out = fs.create(new Path(dir + "/part-0.txt"))) {
            out.write(moby, 0, cut);
        }
        try (OutputStream out = fs.create(new Path(dir + "/part-1.txt"))) {
            out.write(moby, cut, moby.length - cut);
        }
        int[] ids = CharCorpus.read(java.nio.file.Path.of(LmTextReaderTest.MOBY)).ids();
        LmCorpus c = LmTextReader.read(sc, dir, LmOptions.chars().withSplitBytes(40_000));
        assertTrue(c.splits() >= 10, "splits " + c.splits());
        assertEquals(ids.length, c.tokens());
        long t = Math.round(ids.length * 0.9);
        assertArrayEquals(Arrays.copyOfRange(ids, 0, (int) t), LmTextReaderTest.trainStream(c));
        assertArrayEquals(Arrays.copyOfRange(ids, (int) t, ids.length), c.validationTokens(1 << 20));
        c.unpersist();
    }
}
