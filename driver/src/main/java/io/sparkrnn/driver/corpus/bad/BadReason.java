package io.sparkrnn.driver.corpus.bad;

/** Why a record was skipped; the text is what {@code file:line: reason} reports. */
public enum BadReason {
    WRONG_COLUMN_COUNT("wrong column count"),
    TOKEN_TAG_MISMATCH("token/tag count mismatch"),
    EMPTY_TARGET("empty target"),
    UNPARSABLE_NUMBER("unparsable number"),
    INVALID_UTF8("invalid UTF-8"),
    NULL_VALUE("null value"),
    BINARY("binary file, not text");

    private final String text;

    BadReason(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
