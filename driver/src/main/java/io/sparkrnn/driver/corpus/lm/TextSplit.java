package io.sparkrnn.driver.corpus.lm;

import java.io.Closeable;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * A byte range {@code [start, end)} of one text file, read by one task. A line belongs to the split in which its
 * first byte lies (Hadoop's {@code LineRecordReader} rule): a split that does not start at byte 0 skips the
 * line running into it, and every split reads its last line to the end even past {@code end}. So the splits of a
 * file give each of its lines exactly once, and a large file is read by many tasks in parallel.
 *
 * @param index position of the split in corpus order (files sorted by path, then byte position)
 * @param fileIndex position of the file in that order
 */
record TextSplit(int index, int fileIndex, String file, long start, long end) implements Serializable {

    /**
     * Cuts {@code files} (in the given order) into splits of about {@code splitBytes}; empty files give none.
     */
    public static List<TextSplit> plan(List<FileStatus> files, long splitBytes) {
        if (splitBytes < 1) {
            throw new IllegalArgumentException("splitBytes must be >= 1, found " + splitBytes);
        }
        List<TextSplit> out = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            long len = files.get(f).getLen();
            String name = files.get(f).getPath().toString();
            long pieces = (len + splitBytes - 1) / splitBytes;
            for (long k = 0; k < pieces; k++) {
                // equal pieces rather than full ones and a runt at the end
                long s = len * k / pieces;
                long e = len * (k + 1) / pieces;
                out.add(new TextSplit(out.size(), f, name, s, e));
            }
        }
        return out;
    }

    /** Opens this split; the caller closes the reader. */
    public Reader open(Configuration conf) {
        return new Reader(this, conf);
    }

    /**
     * Pulls the lines of one split as raw bytes. After {@link #next} returns true, {@link #bytes} holds
     * {@link #length} bytes of the line including its terminator ({@code LF} or {@code CR LF}) when
     * {@link #terminated}, and {@link #number} is the line's 1-based index within the split.
     */
    public static final class Reader implements Closeable {
        private final FSDataInputStream in;
        private final TextSplit split;
        private final byte[] chunk = new byte[1 << 16];
        private int pos;
        private int limit;
        /** File position of {@code chunk[pos]}. */
        private long filePos;
        private boolean eof;
        private byte[] line = new byte[1 << 10];
        private int len;
        private boolean terminated;
        private long number;

        Reader(TextSplit split, Configuration conf) {
            this.split = split;
            try {
                Path p = new Path(split.file());
                in = p.getFileSystem(conf).open(p);
                if (split.start() > 0) {
                    // the line running into this split belongs to the previous one: skip through its LF
                    in.seek(split.start() - 1);
                    filePos = split.start() - 1;
                    readLine();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + split.file() + " at byte " + split.start(), e);
            }
        }

        /** Advances to the next line starting inside the split; false at its end. */
        public boolean next() {
            try {
                if (filePos >= split.end() || !readLine()) {
                    return false;
                }
                number++;
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + split.file() + " near byte " + filePos, e);
            }
        }

        /** Reads through the next LF (or to the end of the file) into {@code line}; false when nothing is left. */
        private boolean readLine() throws IOException {
            len = 0;
            terminated = false;
            while (true) {
                if (pos == limit) {
                    if (eof) {
                        return len > 0;
                    }
                    int n = in.read(chunk);
                    if (n <= 0) {
                        eof = true;
                        return len > 0;
                    }
                    pos = 0;
                    limit = n;
                }
                int from = pos;
                while (pos < limit && chunk[pos] != '\n') {
                    pos++;
                }
                boolean lf = pos < limit;
                if (lf) {
                    pos++;
                }
                append(from, pos - from);
                filePos += pos - from;
                if (lf) {
                    terminated = true;
                    return true;
                }
            }
        }

        private void append(int from, int n) {
            if (len + n > line.length) {
                line = Arrays.copyOf(line, Math.max(2 * line.length, len + n));
            }
            System.arraycopy(chunk, from, line, len, n);
            len += n;
        }

        public byte[] bytes() {
            return line;
        }

        public int length() {
            return len;
        }

        public boolean terminated() {
            return terminated;
        }

        public long number() {
            return number;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + split.file(), e);
            }
        }
    }
}
