package io.sparkrnn.driver.corpus;

import io.sparkrnn.driver.corpus.bad.BadReason;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.input.PortableDataStream;

/**
 * Line-oriented corpus files read through Spark with true file names and 1-based line numbers.
 *
 * <p>Files are read with {@code sc.binaryFiles}: each file is streamed (never held whole) by one task, so line
 * numbers are exact and all lines of a file are consecutive, in order, within one partition (the CoNLL reader
 * relies on this to group sentences). The price: a single huge file is read by one task; parallelism comes from
 * many files (the usual HDFS layout of part files). Each line is decoded as strict UTF-8; a line that is not
 * valid UTF-8 is skipped and reported as {@link BadReason#INVALID_UTF8}.
 */
public final class Lines {
    private Lines() {
    }

    /** The lines of every file under {@code path}; {@code minPartitions} is a hint to binaryFiles. */
    public static JavaRDD<Line> read(JavaSparkContext sc, String path, BadRecords bad, int minPartitions) {
        Inputs.require(sc, path);
        return sc.binaryFiles(path, minPartitions)
                .flatMap(f -> new LineIterator(f._1(), f._2(), bad));
    }

    public static JavaRDD<Line> read(JavaSparkContext sc, String path, BadRecords bad) {
        return read(sc, path, bad, sc.defaultMinPartitions());
    }

    /** Strict UTF-8, or null when {@code bytes} is not valid UTF-8. */
    public static String decodeUtf8(byte[] bytes, int len) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return dec.decode(ByteBuffer.wrap(bytes, 0, len)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Lazily splits one file's bytes on LF (dropping a CR before it); closes the stream at the end. */
    private static final class LineIterator implements Iterator<Line> {
        private final String file;
        private final PortableDataStream source;
        private final BadRecords bad;
        private InputStream in;
        private final byte[] chunk = new byte[1 << 16];
        private int pos;
        private int end;
        private byte[] line = new byte[256];
        private long number;
        private Line next;
        private boolean done;

        LineIterator(String file, PortableDataStream source, BadRecords bad) {
            this.file = file;
            this.source = source;
            this.bad = bad;
        }

        @Override
        public boolean hasNext() {
            while (next == null && !done) {
                next = readLine();
            }
            return next != null;
        }

        @Override
        public Line next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Line l = next;
            next = null;
            return l;
        }

        /** The next decodable line, null after a skipped one; sets {@code done} at the end of the file. */
        private Line readLine() {
            try {
                if (in == null) {
                    in = source.open();
                }
                int len = 0;
                boolean eol = false;
                while (!eol) {
                    if (pos == end) {
                        end = in.read(chunk);
                        pos = 0;
                        if (end <= 0) {
                            end = 0;
                            in.close();
                            done = true;
                            if (len == 0) {
                                return null;
                            }
                            break;
                        }
                    }
                    int from = pos;
                    while (pos < end && chunk[pos] != '\n') {
                        pos++;
                    }
                    int n = pos - from;
                    if (len + n > line.length) {
                        line = java.util.Arrays.copyOf(line, Math.max(2 * line.length, len + n));
                    }
                    System.arraycopy(chunk, from, line, len, n);
                    len += n;
                    if (pos < end) {
                        pos++;
                        eol = true;
                    }
                }
                number++;
                if (len > 0 && line[len - 1] == '\r') {
                    len--;
                }
                String text = decodeUtf8(line, len);
                if (text == null) {
                    bad.skip(file, number, BadReason.INVALID_UTF8, null);
                    return null;
                }
                return new Line(file, number, text);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + " at line " + (number + 1), e);
            }
        }
    }
}
