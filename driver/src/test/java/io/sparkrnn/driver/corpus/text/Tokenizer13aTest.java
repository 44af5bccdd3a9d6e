package io.sparkrnn.driver.corpus.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The 13a tokenizer against the outputs of sacreBLEU 2.6.0's {@code Tokenizer13a} on the same lines. */
class Tokenizer13aTest {
    @Test
    void matchesSacreBleu() {
        assertEquals("Hello , world !", Tokenizer13a.tokenize("Hello, world!"));
        assertEquals("It costs $ 1,000.50 ( approx . ) -- e . g . 3 - 4 days .",
                Tokenizer13a.tokenize("It costs $1,000.50 (approx.) -- e.g. 3-4 days."));
        // curly quotes stay on their words; the four entities are decoded first
        assertEquals("He said , “Yahweh lives ! ” \" ok \" a & b",
                Tokenizer13a.tokenize("He said, “Yahweh lives!” &quot;ok&quot; a&amp;b"));
        assertEquals("don't stop . . . 10.5 % endof", Tokenizer13a.tokenize("don't stop... 10.5% <skipped> end-\nof"));
        assertEquals("x / y [ z ] { w } a : b ; c", Tokenizer13a.tokenize("x/y [z] {w} a:b;c"));
        // Python's str.split(): no-break, thin and ideographic spaces separate, a zero-width space does not
        assertEquals("a b c\u200Bd", Tokenizer13a.tokenize("\u00A0a\u2009b\u3000c\u200Bd"));
    }

    @Test
    void tokenUnit() {
        assertArrayEquals(new String[] {"Jesus", "wept", "."}, TokenUnit.WORDS_13A.split(" Jesus wept. "));
        assertArrayEquals(new String[0], TokenUnit.WORDS_13A.split("  "));
    }
}
