package io.sparkrnn.driver.corpus;

import java.io.IOException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/** Checks, before any Spark job, that a corpus path (local, {@code hdfs://}, a glob, a directory) names files. */
public final class Inputs {
    private Inputs() {
    }

    /**
     * Fails with a {@link CorpusException} when {@code path} does not exist, is a glob with no match, or names only
     * empty directories. Returns the number of files matched (a directory counts its direct, visible files).
     */
    public static int require(JavaSparkContext sc, String path) {
        if (path == null || path.isBlank()) {
            throw new CorpusException("no corpus path given");
        }
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(sc.hadoopConfiguration());
            FileStatus[] matched = fs.globStatus(p);
            if (matched == null) {
                throw new CorpusException("corpus path " + path + " does not exist");
            }
            if (matched.length == 0) {
                throw new CorpusException("corpus path " + path + " matches no files");
            }
            int files = 0;
            for (FileStatus st : matched) {
                if (st.isDirectory()) {
                    for (FileStatus c : fs.listStatus(st.getPath())) {
                        String n = c.getPath().getName();
                        if (c.isFile() && !n.startsWith(".") && !n.startsWith("_")) {
                            files++;
                        }
                    }
                } else {
                    files++;
                }
            }
            if (files == 0) {
                throw new CorpusException("corpus path " + path + " matches only empty directories");
            }
            return files;
        } catch (IOException e) {
            throw new CorpusException("cannot list corpus path " + path + ": " + e.getMessage(), e);
        }
    }
}
