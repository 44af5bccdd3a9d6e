package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.driver.corpus.text.TokenUnit;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding of one raw line and its tokens, without a String per character. Characters: every code
 * point of the line including its terminator ({@code \r} and {@code \n} are tokens, as in {@link CharCorpus}).
 * Words: maximal runs of non-whitespace ({@code [ \t\n\u000B\f\r]}, as {@link TokenUnit#WORDS}), then the
 * line-end token when the line has a terminator and a line-end token is set. One instance per task.
 */
final class LineTokenizer {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private CharBuffer chars = CharBuffer.allocate(1 << 10);

    /** Receives the tokens of a line. */
    interface Sink {
        void codePoint(int cp);

        void word(String w);
    }

    /** Decodes {@code len} bytes; false when they are not valid UTF-8 (nothing is emitted then). */
    boolean decode(byte[] bytes, int len) {
        if (chars.capacity() < len) {
            chars = CharBuffer.allocate(Math.max(len, 2 * chars.capacity()));
        }
        chars.clear();
        decoder.reset();
        CoderResult r = decoder.decode(ByteBuffer.wrap(bytes, 0, len), chars, true);
        if (r.isError()) {
            return false;
        }
        if (decoder.flush(chars).isError()) {
            return false;
        }
        chars.flip();
        return true;
    }

    /** Takes {@code text} as the current line (for rows of a table). */
    void text(String text) {
        if (chars.capacity() < text.length()) {
            chars = CharBuffer.allocate(Math.max(text.length(), 2 * chars.capacity()));
        }
        chars.clear();
        chars.put(text);
        chars.flip();
    }

    /** Emits the tokens of the current line. */
    void tokens(TokenUnit unit, String lineEnd, boolean terminated, Sink sink) {
        char[] a = chars.array();
        int n = chars.limit();
        if (unit == TokenUnit.CHARS) {
            for (int i = 0; i < n; ) {
                int cp = Character.codePointAt(a, i, n);
                sink.codePoint(cp);
                i += Character.charCount(cp);
            }
            return;
        }
        int i = 0;
        while (i < n) {
            while (i < n && space(a[i])) {
                i++;
            }
            int from = i;
            while (i < n && !space(a[i])) {
                i++;
            }
            if (i > from) {
                sink.word(new String(a, from, i - from));
            }
        }
        if (terminated && lineEnd != null) {
            sink.word(lineEnd);
        }
    }

    private static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
