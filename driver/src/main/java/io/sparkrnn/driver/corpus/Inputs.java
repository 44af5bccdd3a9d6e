package io.sparkrnn.driver.corpus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
        return files(sc, path).size();
    }

    /**
     * The files {@code path} names, sorted by their full path (the corpus order of the language-model reader):
     * a file, the matches of a glob, and the direct, visible files (not starting with "." or "_") of a directory.
     * Fails like {@link #require}.
     */
    public static List<FileStatus> files(JavaSparkContext sc, String path) {
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
            List<FileStatus> files = new ArrayList<>();
            for (FileStatus st : matched) {
                if (st.isDirectory()) {
                    for (FileStatus c : fs.listStatus(st.getPath())) {
                        String n = c.getPath().getName();
                        if (c.isFile() && !n.startsWith(".") && !n.startsWith("_")) {
                            files.add(c);
                        }
                    }
                } else {
                    files.add(st);
                }
            }
            if (files.isEmpty()) {
                throw new CorpusException("corpus path " + path + " matches only empty directories");
            }
            files.sort(Comparator.comparing(f -> f.getPath().toString()));
            return files;
        } catch (IOException e) {
            throw new CorpusException("cannot list corpus path " + path + ": " + e.getMessage(), e);
        }
    }
}
