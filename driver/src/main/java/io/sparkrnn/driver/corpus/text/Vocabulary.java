package io.sparkrnn.driver.corpus.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Lines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * A token vocabulary: special tokens first (by default PAD=0, UNK=1, BOS=2, EOS=3), then corpus tokens by
 * descending count, ties by token text, so the ids are a pure function of the corpus.
 *
 * <p>Counting runs on the executors ({@code reduceByKey}, then {@code takeOrdered}): only the kept tokens and
 * their counts reach the driver, never rows. This is what MLlib's {@code CountVectorizer} does (count, filter by
 * minimum count, keep the most frequent), without its DataFrame round trip and with deterministic ties.
 *
 * <p>File format: UTF-8, one token per line as a JSON string literal (so TAB, newline and quotes are
 * unambiguous); line n holds id n (0-based), specials included.
 */
public final class Vocabulary implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";
    /** The default specials, in id order. */
    public static final List<String> SPECIALS = List.of(PAD, UNK, BOS, EOS);
    public static final int PAD_ID = 0;
    public static final int UNK_ID = 1;
    public static final int BOS_ID = 2;
    public static final int EOS_ID = 3;

    private final List<String> tokens;
    private final Map<String, Integer> index;
    private final int unk;

    private Vocabulary(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        this.index = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (index.put(tokens.get(i), i) != null) {
                throw new CorpusException("vocabulary has token " + quote(tokens.get(i)) + " twice (ids "
                        + index.get(tokens.get(i)) + " and " + i + ")");
            }
        }
        this.unk = index.getOrDefault(UNK, -1);
    }

    /** A vocabulary of exactly these tokens, in order. */
    public static Vocabulary of(List<String> tokens) {
        return new Vocabulary(tokens);
    }

    /**
     * Counts {@code tokens} on the executors and keeps those seen at least {@code minCount} times, the most
     * frequent first, up to {@code maxSize} entries including the {@code specials} (which come first).
     */
    public static Vocabulary fit(JavaRDD<String> tokens, int minCount, int maxSize, List<String> specials) {
        return fitCounts(tokens.mapToPair(t -> new Tuple2<>(t, 1L)), minCount, maxSize, specials);
    }

    /**
     * As {@link #fit}, from (token, count) pairs (a token may come several times; its counts are summed), for
     * readers that count within a task first.
     */
    public static Vocabulary fitCounts(JavaPairRDD<String, Long> counts, int minCount, int maxSize,
            List<String> specials) {
        if (minCount < 1) {
            throw new IllegalArgumentException("minCount must be >= 1, found " + minCount);
        }
        if (maxSize <= specials.size()) {
            throw new IllegalArgumentException("maxSize must exceed the " + specials.size() + " special tokens, found "
                    + maxSize);
        }
        Set<String> special = new HashSet<>(specials);
        JavaPairRDD<String, Long> kept = counts.reduceByKey(Long::sum)
                .filter(c -> c._2() >= minCount && !special.contains(c._1()));
        // takeOrdered allocates its bound up front: cap it by the distinct tokens (a count) when it is large
        int want = maxSize - specials.size();
        if (want > 100_000) {
            want = (int) Math.min(want, Math.max(1, kept.count()));
        }
        List<Tuple2<String, Long>> top = kept.takeOrdered(want, ByCount.INSTANCE);
        List<String> all = new ArrayList<>(specials);
        for (Tuple2<String, Long> t : top) {
            all.add(t._1());
        }
        return new Vocabulary(all);
    }

    /** The default specials (PAD, UNK, BOS, EOS) first. */
    public static Vocabulary fit(JavaRDD<String> tokens, int minCount, int maxSize) {
        return fit(tokens, minCount, maxSize, SPECIALS);
    }

    /** Descending count, then ascending token. */
    private enum ByCount implements Comparator<Tuple2<String, Long>>, Serializable {
        INSTANCE;

        @Override
        public int compare(Tuple2<String, Long> a, Tuple2<String, Long> b) {
            int c = Long.compare(b._2(), a._2());
            return c != 0 ? c : a._1().compareTo(b._1());
        }
    }

    public int size() {
        return tokens.size();
    }

    public String token(int id) {
        return tokens.get(id);
    }

    public List<String> tokens() {
        return tokens;
    }

    /** The id of {@code token}, UNK's id when it is unknown, or -1 when the vocabulary has no UNK. */
    public int id(String token) {
        Integer i = index.get(token);
        return i != null ? i : unk;
    }

    /** Ids of {@code seq}; an unknown token maps to UNK, or fails when there is no UNK (tag vocabularies). */
    public int[] encode(String[] seq) {
        int[] ids = new int[seq.length];
        for (int i = 0; i < seq.length; i++) {
            ids[i] = id(seq[i]);
            if (ids[i] < 0) {
                throw new CorpusException("token " + quote(seq[i]) + " is not in the vocabulary, which has no "
                        + UNK);
            }
        }
        return ids;
    }

    /** The file text: one JSON string literal a line. */
    public String toText() {
        ObjectMapper m = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        try {
            for (String t : tokens) {
                sb.append(m.writeValueAsString(t)).append('\n');
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return sb.toString();
    }

    /** Parses {@link #toText}; {@code source} names the file in errors. */
    public static Vocabulary fromText(String text, String source) {
        ObjectMapper m = new ObjectMapper();
        List<String> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i == lines.length - 1 && lines[i].isEmpty()) {
                break;
            }
            try {
                String s = m.readValue(lines[i], String.class);
                if (s == null) {
                    throw new CorpusException(source + ":" + (i + 1) + ": expected a JSON string, found null");
                }
                out.add(s);
            } catch (JsonProcessingException e) {
                throw new CorpusException(source + ":" + (i + 1) + ": expected a JSON string literal, found "
                        + lines[i], e);
            }
        }
        return new Vocabulary(out);
    }

    /** Writes the vocabulary to {@code path} (any Hadoop file system); fails if it exists. */
    public void save(JavaSparkContext sc, String path) {
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(sc.hadoopConfiguration());
            try (OutputStream out = fs.create(p, false)) {
                out.write(toText().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new CorpusException("cannot write vocabulary " + path + ": " + e.getMessage(), e);
        }
    }

    public static Vocabulary load(JavaSparkContext sc, String path) {
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(sc.hadoopConfiguration());
            try (InputStream in = fs.open(p)) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                in.transferTo(buf);
                String text = Lines.decodeUtf8(buf.toByteArray(), buf.size());
                if (text == null) {
                    throw new CorpusException("vocabulary " + path + " is not valid UTF-8");
                }
                return fromText(text, path);
            }
        } catch (IOException e) {
            throw new CorpusException("cannot read vocabulary " + path + ": " + e.getMessage(), e);
        }
    }

    /** {@code s} as a JSON string literal, as the vocabulary file writes it (for messages). */
    static String quote(String s) {
        try {
            return new ObjectMapper().writeValueAsString(s);
        } catch (JsonProcessingException e) {
            return s;
        }
    }
}
