package io.sparkrnn.driver.corpus.text.bpe;

import io.sparkrnn.driver.corpus.CorpusException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding's merges, in rank order, and what they do to words. A word starts as its code points, the last
 * one marked as the end of the word by the suffix {@link #END} ({@code low} = {@code l o w</w>}); merges join two
 * adjacent symbols, the lowest-ranked pair first, until no pair has a rank ({@link #encode(String)}; cached per word).
 * A piece ending with {@link #END} ends a word, so {@link #decode} is the exact inverse on words (words are split on
 * whitespace and a word holding the text {@code </w>} is not expected). A character never seen in training stays a
 * piece of its own, which the vocabulary maps to {@code <unk>}.
 *
 * <p>The merges file ({@link #toText}, {@link #fromText}): the header line {@link #HEADER}, then one merge a line,
 * the two symbols separated by one space, in rank order (first line = first merge).
 */
public final class Bpe implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The suffix that marks the last symbol of a word. */
    public static final String END = "</w>";
    /**
     * The merges file, in a model folder, of a model whose inputs are pieces (a language model's text, a tagger's
     * or a classifier's words; a seq2seq model names one file per side).
     */
    public static final String INPUT_FILE = "bpe-input.txt";
    /** The first line of a merges file. */
    public static final String HEADER = "#bpe merges, end of word " + END;

    private final List<String[]> merges;
    private final Map<String, Integer> ranks;
    private transient Map<String, String[]> cache;

    /** The merges {@code {left, right}}, in rank order. */
    public Bpe(List<String[]> merges) {
        this.merges = List.copyOf(merges);
        this.ranks = new HashMap<>();
        for (int i = 0; i < this.merges.size(); i++) {
            String[] m = this.merges.get(i);
            if (m.length != 2) {
                throw new IllegalArgumentException("a merge joins 2 symbols, found " + m.length);
            }
            ranks.putIfAbsent(key(m[0], m[1]), i);
        }
    }

    private static String key(String left, String right) {
        return left + '\u0000' + right;
    }

    /** The merges {@code {left, right}}, in rank order. */
    public List<String[]> merges() {
        return merges;
    }

    /** The symbols a word starts as: its code points, the last one with {@link #END}. */
    static List<String> symbols(String word) {
        List<String> s = new ArrayList<>();
        word.codePoints().forEach(cp -> s.add(Character.toString(cp)));
        s.set(s.size() - 1, s.get(s.size() - 1) + END);
        return s;
    }

    /**
     * The pieces of one word; an empty word (a tagger's Dataset may hold one) is one empty piece, as a word
     * vocabulary would have seen it.
     */
    public String[] encode(String word) {
        if (word.isEmpty()) {
            return new String[] {word};
        }
        Map<String, String[]> c = cache;
        if (c == null) {
            c = new ConcurrentHashMap<>();
            cache = c;
        }
        String[] cached = c.get(word);
        if (cached != null) {
            return cached;
        }
        List<String> s = symbols(word);
        while (s.size() > 1) {
            int best = Integer.MAX_VALUE;
            String left = null;
            String right = null;
            for (int i = 0; i + 1 < s.size(); i++) {
                Integer r = ranks.get(key(s.get(i), s.get(i + 1)));
                if (r != null && r < best) {
                    best = r;
                    left = s.get(i);
                    right = s.get(i + 1);
                }
            }
            if (left == null) {
                break;
            }
            List<String> next = new ArrayList<>(s.size());
            for (int i = 0; i < s.size(); i++) {
                if (i + 1 < s.size() && s.get(i).equals(left) && s.get(i + 1).equals(right)) {
                    next.add(left + right);
                    i++;
                } else {
                    next.add(s.get(i));
                }
            }
            s = next;
        }
        String[] pieces = s.toArray(String[]::new);
        if (c.size() < 1 << 20) {
            c.put(word, pieces);
        }
        return pieces;
    }

    /** The pieces of the words, in order. */
    public String[] encode(String[] words) {
        List<String> out = new ArrayList<>(words.length * 2);
        for (String w : words) {
            for (String p : encode(w)) {
                out.add(p);
            }
        }
        return out.toArray(String[]::new);
    }

    /**
     * The words of the pieces: pieces joined until one ends with {@link #END} (a model's output may stop within a
     * word: the last word is what was joined).
     */
    public static String[] decode(String[] pieces) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        for (String p : pieces) {
            if (p.endsWith(END)) {
                w.append(p, 0, p.length() - END.length());
                words.add(w.toString());
                w.setLength(0);
            } else {
                w.append(p);
            }
        }
        if (w.length() > 0) {
            words.add(w.toString());
        }
        return words.toArray(String[]::new);
    }

    /** The words of the pieces joined by spaces. */
    public static String text(String[] pieces) {
        return String.join(" ", decode(pieces));
    }

    /** The merges file's text. */
    public String toText() {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (String[] m : merges) {
            sb.append(m[0]).append(' ').append(m[1]).append('\n');
        }
        return sb.toString();
    }

    /**
     * The merges of a merges file's text; {@code name} names the file in the {@link CorpusException} for a text that
     * is not one (its line and what was expected).
     */
    public static Bpe fromText(String text, String name) {
        String[] lines = text.split("\n", -1);
        if (!lines[0].strip().equals(HEADER)) {
            throw new CorpusException(name + ":1: not a merges file: expected the header '" + HEADER + "'");
        }
        List<String[]> merges = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (l.isEmpty() && i == lines.length - 1) {
                break;
            }
            String[] m = l.split(" ", -1);
            if (m.length != 2 || m[0].isEmpty() || m[1].isEmpty()) {
                throw new CorpusException(name + ":" + (i + 1) + ": expected a merge 'left right' (two symbols "
                        + "separated by one space), found '" + l + "'");
            }
            if (m[0].endsWith(END)) {
                throw new CorpusException(name + ":" + (i + 1) + ": the left symbol '" + m[0] + "' ends a word ("
                        + END + "), so nothing can follow it");
            }
            Integer before = seen.putIfAbsent(key(m[0], m[1]), i + 1);
            if (before != null) {
                throw new CorpusException(name + ":" + (i + 1) + ": the merge '" + l + "' is already on line "
                        + before);
            }
            merges.add(m);
        }
        return new Bpe(merges);
    }
}
