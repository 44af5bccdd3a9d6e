package io.sparkrnn.driver.corpus.text;

/** The unit of a token: how a text field is cut into tokens. */
public enum TokenUnit {
    /** One token per Unicode code point. */
    CHARS,
    /** Whitespace-separated words. */
    WORDS,
    /** Words with punctuation split off as sacreBLEU's {@code 13a} tokenizer does ({@link Tokenizer13a}). */
    WORDS_13A,
    /**
     * Subword pieces of byte-pair encoding ({@link io.sparkrnn.driver.corpus.text.bpe.Bpe}): {@link #split} gives the
     * words ({@code 13a}) the pieces are cut from, once the merges are learned or read.
     */
    BPE;

    /** The tokens of {@code text} (trimmed); empty for blank text. */
    public String[] split(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return new String[0];
        }
        if (this == WORDS) {
            return t.split("\\s+");
        }
        if (this == WORDS_13A || this == BPE) {
            return Tokenizer13a.tokens(t);
        }
        return t.codePoints().mapToObj(Character::toString).toArray(String[]::new);
    }
}
