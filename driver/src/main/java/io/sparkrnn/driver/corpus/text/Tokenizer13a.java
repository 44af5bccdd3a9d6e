package io.sparkrnn.driver.corpus.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * sacreBLEU's default tokenizer, {@code 13a} (the tokenization of WMT's {@code mteval-v13a.pl}), step for step as
 * sacreBLEU 2.x writes it: {@code <skipped>} removed, {@code -\n} joined, line breaks made spaces, the entities
 * {@code &quot; &amp; &lt; &gt;} decoded; then ASCII punctuation other than {@code ' , - .} split off; period and
 * comma split off unless between digits; a dash after a digit split off; whitespace (Python's {@code str.split()}:
 * Unicode spaces, no-break spaces included) separates the tokens. Curly quotes and other non-ASCII punctuation stay
 * on their words, as in sacreBLEU.
 */
public final class Tokenizer13a {
    private static final Pattern PUNCT = Pattern.compile("([\\{-~\\[-` -&\\(-\\+:-@/])");
    private static final Pattern PERIOD_COMMA_AFTER = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern PERIOD_COMMA_BEFORE = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    private Tokenizer13a() {
    }

    /** The tokens of {@code line}; empty for a line without any. */
    public static String[] tokens(String line) {
        String s = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        if (s.indexOf('&') >= 0) {
            s = s.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        }
        s = " " + s + " ";
        s = PUNCT.matcher(s).replaceAll(" $1 ");
        s = PERIOD_COMMA_AFTER.matcher(s).replaceAll("$1 $2 ");
        s = PERIOD_COMMA_BEFORE.matcher(s).replaceAll(" $1 $2");
        s = DASH_AFTER_DIGIT.matcher(s).replaceAll("$1 $2 ");
        return splitPython(s);
    }

    /** The tokens joined by single spaces, as sacreBLEU hands them to its metrics. */
    public static String tokenize(String line) {
        return String.join(" ", tokens(line));
    }

    /** Python's {@code str.split()}: runs of whitespace separate, none at either end. */
    static String[] splitPython(String s) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); i++) {
            if (isPythonSpace(s.charAt(i))) {
                if (start >= 0) {
                    out.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            out.add(s.substring(start));
        }
        return out.toArray(new String[0]);
    }

    /** Python's {@code str.isspace()} for one character (no whitespace lies outside the Basic Multilingual Plane). */
    public static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || c == '\u0085' || c == '\u00A0' || c == '\u2007' || c == '\u202F';
    }
}
