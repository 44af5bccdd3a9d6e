package io.sparkrnn.engine.tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The arithmetic of a training step's matrix products ({@code train.precision}): {@link #FLOAT32} everywhere, or
 * {@link #BF16} products (bf16 operands, float32 accumulation; {@link Bf16Products}) with everything else in float32.
 */
public enum Precision {
    FLOAT32("float32"),
    BF16("bf16");

    private final String key;

    Precision(String key) {
        this.key = key;
    }

    /** The configuration value, e.g. {@code bf16}. */
    public String key() {
        return key;
    }

    /** The precision named {@code value} (case-insensitive); IllegalArgumentException naming the valid values. */
    public static Precision parse(String value) {
        for (Precision p : values()) {
            if (p.key.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("expected one of " + Arrays.stream(values()).map(Precision::key)
                .collect(Collectors.joining(", ")) + ", found '" + value + "'");
    }

    @Override
    public String toString() {
        return key;
    }
}
