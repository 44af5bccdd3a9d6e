package io.sparkrnn.driver.corpus.sword;

/**
 * A verse: its book's OSIS name ({@code Gen}, {@code John}, {@code Tob}), chapter and verse, both from 1.
 */
public record VerseRef(String book, int chapter, int verse) {
    /** The OSIS reference, {@code Book.Chapter.Verse} (e.g. {@code John.11.35}). */
    @Override
    public String toString() {
        return book + "." + chapter + "." + verse;
    }
}
