package io.sparkrnn.driver.corpus.sword;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words of a verse's OSIS markup, as a reader sees the verse itself:
 * <ul>
 *   <li>kept: the text, and the text inside word, added-word ({@code transChange}: the KJV's italics), divine-name,
 *       quotation, foreign and segment elements (their attributes, Strong's numbers included, are dropped);</li>
 *   <li>dropped with their content: notes (footnotes and cross references), titles (section headings and psalm
 *       superscriptions, on both sides of a pair alike) and speaker labels; and the text between the start and end
 *       milestones of a {@code glossary} or {@code introduction} division (the WEB appends its glossary to the last
 *       verse of Revelation);</li>
 *   <li>every other tag (line, line group, paragraph, chapter and division milestones) separates words;</li>
 *   <li>the KJV's paragraph signs ({@code ¶}) and stray USFM character markers left in the text ({@code \nd },
 *       {@code \nd*}, {@code \+nd*}) are dropped;</li>
 *   <li>the XML entities {@code &amp; &lt; &gt; &quot; &apos;} and numeric references are decoded; whitespace is
 *       collapsed to single spaces and trimmed, and no space is left before closing punctuation where a dropped
 *       note stood ({@code Christ<note>...</note>,} gives {@code Christ,}).</li>
 * </ul>
 */
public final class OsisText {
    /** Elements whose content is not the verse's text. */
    private static final Set<String> DROPPED = Set.of("note", "title", "speaker");
    /** Elements that are part of the running text: no word break at their tags. */
    private static final Set<String> INLINE = Set.of("w", "transChange", "divineName", "q", "foreign", "seg",
            "hi", "name", "rdg", "catchWord", "reference");
    /** Divisions, marked by start and end milestones, whose text is not the verse's. */
    private static final Set<String> DROPPED_DIVISIONS = Set.of("glossary", "introduction");
    private static final Pattern TAG = Pattern.compile("<(/?)([A-Za-z][\\w:.-]*)([^>]*?)(/?)>");
    private static final Pattern ATTRIBUTE = Pattern.compile("([\\w:.-]+)\\s*=\\s*\"([^\"]*)\"");
    /** A USFM character marker, {@code \\nd } or {@code \\+nd*}, that a module left in its text. */
    private static final Pattern USFM = Pattern.compile("\\\\\\+?[a-z]+[0-9]*\\*? ?");
    /** A word break: a space unless a space or closing punctuation is next to it. */
    private static final char BREAK = '\u0000';

    private OsisText() {
    }

    /** The plain text of {@code osis}; empty when it holds no text. */
    public static String plain(String osis) {
        StringBuilder out = new StringBuilder();
        Deque<String> dropped = new ArrayDeque<>();
        String droppedDivision = null;
        Matcher m = TAG.matcher(osis);
        int at = 0;
        while (m.find()) {
            if (dropped.isEmpty() && droppedDivision == null) {
                out.append(decode(osis.substring(at, m.start())));
            }
            at = m.end();
            boolean end = !m.group(1).isEmpty();
            boolean empty = !m.group(4).isEmpty();
            String name = m.group(2);
            String attrs = m.group(3);
            if (droppedDivision != null) {
                if (name.equals("div") && droppedDivision.equals(attribute(attrs, "eID"))) {
                    droppedDivision = null;
                    out.append(BREAK);
                }
                continue;
            }
            if (DROPPED.contains(name) && !empty) {
                if (end) {
                    if (!dropped.isEmpty()) {
                        dropped.pop();
                        if (dropped.isEmpty()) {
                            out.append(BREAK);
                        }
                    }
                } else {
                    dropped.push(name);
                }
                continue;
            }
            if (!dropped.isEmpty()) {
                continue;
            }
            if (name.equals("div") && empty && DROPPED_DIVISIONS.contains(attribute(attrs, "type"))
                    && attribute(attrs, "sID") != null) {
                droppedDivision = attribute(attrs, "sID");
                continue;
            }
            if (!INLINE.contains(name)) {
                out.append(BREAK);
            }
        }
        if (dropped.isEmpty() && droppedDivision == null) {
            out.append(decode(osis.substring(at)));
        }
        return normalise(USFM.matcher(out).replaceAll("").replace("\u00B6", ""));
    }

    private static String attribute(String attrs, String key) {
        Matcher a = ATTRIBUTE.matcher(attrs);
        while (a.find()) {
            if (a.group(1).equals(key)) {
                return a.group(2);
            }
        }
        return null;
    }

    /** The text with its entities decoded. */
    static String decode(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int amp = s.indexOf('&', i);
            int semi = amp < 0 ? -1 : s.indexOf(';', amp);
            if (amp < 0 || semi < 0 || semi - amp > 10) {
                b.append(s, i, s.length());
                break;
            }
            b.append(s, i, amp);
            String e = s.substring(amp + 1, semi);
            String r = switch (e) {
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "quot" -> "\"";
                case "apos" -> "'";
                default -> numeric(e);
            };
            b.append(r != null ? r : s.substring(amp, semi + 1));
            i = semi + 1;
        }
        return b.toString();
    }

    private static String numeric(String e) {
        try {
            if (e.startsWith("#x") || e.startsWith("#X")) {
                return Character.toString(Integer.parseInt(e.substring(2), 16));
            }
            if (e.startsWith("#")) {
                return Character.toString(Integer.parseInt(e.substring(1)));
            }
        } catch (IllegalArgumentException ignored) {
            // not a character reference: kept as written
        }
        return null;
    }

    /** Whitespace and word breaks collapsed to single spaces, none before closing punctuation, none at the ends. */
    private static String normalise(CharSequence s) {
        StringBuilder b = new StringBuilder();
        boolean pendingSpace = false;
        boolean pendingBreak = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == BREAK) {
                pendingBreak = true;
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                pendingSpace = true;
            } else {
                boolean space = pendingSpace || (pendingBreak && !closing(c));
                if (space && b.length() > 0) {
                    b.append(' ');
                }
                b.append(c);
                pendingSpace = false;
                pendingBreak = false;
            }
        }
        return b.toString();
    }

    private static boolean closing(char c) {
        return ".,;:!?)]’”".indexOf(c) >= 0;
    }
}
