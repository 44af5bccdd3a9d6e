package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.driver.corpus.CorpusException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A plain UTF-8 text read into the driver as a stream of character (code point) ids, with its vocabulary:
 * the distinct code points in ascending order. For texts that fit in the driver; large corpora go through the
 * Spark readers.
 */
public final class CharCorpus {
    private final int[] ids;
    private final List<Integer> vocabulary;

    private CharCorpus(int[] ids, List<Integer> vocabulary) {
        this.ids = ids;
        this.vocabulary = vocabulary;
    }

    /** Reads and encodes {@code file}; invalid UTF-8, an empty file or a missing one is a {@link CorpusException}. */
    public static CharCorpus read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CorpusException("cannot read corpus " + file + ": " + e.getMessage(), e);
        }
        String text = decode(bytes, file);
        if (text.isEmpty()) {
            throw new CorpusException("corpus " + file + " is empty");
        }
        int[] cps = text.codePoints().toArray();
        TreeSet<Integer> distinct = new TreeSet<>();
        for (int c : cps) {
            distinct.add(c);
        }
        Map<Integer, Integer> index = new TreeMap<>();
        for (int c : distinct) {
            index.put(c, index.size());
        }
        int[] ids = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            ids[i] = index.get(cps[i]);
        }
        return new CharCorpus(ids, new ArrayList<>(distinct));
    }

    private static String decode(byte[] bytes, Object file) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        var result = dec.decode(in, out, true);
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new CorpusException(file + ":" + line + ": invalid UTF-8 at byte offset " + offset);
        }
        try {
            dec.flush(out);
        } catch (IllegalStateException e) {
            throw new CorpusException(file + ": cannot decode as UTF-8", e);
        }
        out.flip();
        return out.toString();
    }

    /** The text as vocabulary ids. */
    public int[] ids() {
        return ids;
    }

    /** Code points by id. */
    public List<Integer> vocabulary() {
        return vocabulary;
    }

    /**
     * The vocabulary file format: one entry per line, each a JSON string literal (so newline and quote
     * characters are unambiguous), line n = id n.
     */
    public static String vocabularyText(List<Integer> vocabulary) {
        StringBuilder sb = new StringBuilder();
        for (int cp : vocabulary) {
            sb.append('"');
            String s = new String(Character.toChars(cp));
            for (char ch : s.toCharArray()) {
                switch (ch) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (ch < 0x20) {
                            sb.append(String.format("\\u%04x", (int) ch));
                        } else {
                            sb.append(ch);
                        }
                    }
                }
            }
            sb.append("\"\n");
        }
        return sb.toString();
    }

    /**
     * Parses a vocabulary written by {@link #vocabularyText} (the file's bytes, from any file system): code points
     * by id. {@code file} names it in messages.
     */
    public static List<Integer> parseVocabulary(byte[] bytes, String file) {
        List<Integer> vocab = new ArrayList<>();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> lines = decode(bytes, file).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String entry;
            try {
                entry = json.readValue(lines.get(i), String.class);
            } catch (IOException e) {
                throw new CorpusException(file + ":" + (i + 1) + ": expected a JSON string, found " + lines.get(i));
            }
            if (entry.codePointCount(0, entry.length()) != 1) {
                throw new CorpusException(file + ":" + (i + 1) + ": expected one character, found \"" + entry + "\"");
            }
            vocab.add(entry.codePointAt(0));
        }
        return vocab;
    }

    /**
     * Encodes {@code text} with {@code vocabulary}; characters outside it are left out and counted in
     * {@code unknown[0]} when given, or are an error naming the character when {@code unknown} is null.
     */
    public static int[] encode(String text, List<Integer> vocabulary, int[] unknown) {
        Map<Integer, Integer> index = new TreeMap<>();
        for (int i = 0; i < vocabulary.size(); i++) {
            index.put(vocabulary.get(i), i);
        }
        return text.codePoints().filter(cp -> {
            if (index.containsKey(cp)) {
                return true;
            }
            if (unknown == null) {
                throw new CorpusException("character '" + new String(Character.toChars(cp)) + "' (U+"
                        + String.format("%04X", cp) + ") is not in the model's vocabulary");
            }
            unknown[0]++;
            return false;
        }).map(index::get).toArray();
    }

    /**
     * Decodes a UTF-8 file's bytes (from any file system; invalid UTF-8 is a {@link CorpusException} naming
     * {@code file} and the line).
     */
    public static String decodeText(byte[] bytes, String file) {
        return decode(bytes, file);
    }
}
