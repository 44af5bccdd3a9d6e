package io.sparkrnn.jobs.config;

import java.util.List;

/**
 * One documented config key: its path, type, default and allowed range or choices.
 *
 * @param path     dotted HOCON path, e.g. {@code train.lr}
 * @param type     value type
 * @param defaultValue default, as it would be written in the file
 * @param min      smallest allowed number (inclusive), or null
 * @param max      largest allowed number (inclusive), or null
 * @param choices  allowed strings for {@link Type#CHOICE}
 * @param doc      one line for docs/config.md and --help
 * @param tasks    the values of {@code task} that read the key; empty = every task
 */
public record ConfigKey(String path, Type type, Object defaultValue, Double min, Double max, List<String> choices,
        String doc, List<String> tasks) {

    /** Value types. */
    public enum Type { INT, DOUBLE, STRING, BOOLEAN, CHOICE }

    static ConfigKey integer(String path, int def, int min, Integer max, String doc) {
        return new ConfigKey(path, Type.INT, def, (double) min, max == null ? null : (double) max, List.of(), doc, List.of());
    }

    static ConfigKey number(String path, double def, double min, Double max, String doc) {
        return new ConfigKey(path, Type.DOUBLE, def, min, max, List.of(), doc, List.of());
    }

    static ConfigKey string(String path, String def, String doc) {
        return new ConfigKey(path, Type.STRING, def, null, null, List.of(), doc, List.of());
    }

    static ConfigKey bool(String path, boolean def, String doc) {
        return new ConfigKey(path, Type.BOOLEAN, def, null, null, List.of(), doc, List.of());
    }

    static ConfigKey choice(String path, String def, List<String> choices, String doc) {
        return new ConfigKey(path, Type.CHOICE, def, null, null, choices, doc, List.of());
    }

    /** This key, read only by these tasks. */
    ConfigKey only(String... tasks) {
        return new ConfigKey(path, type, defaultValue, min, max, choices, doc, List.of(tasks));
    }

    /** Whether {@code task} reads this key. */
    public boolean appliesTo(String task) {
        return tasks.isEmpty() || tasks.contains(task);
    }

    /** Whether {@code value} (as the resolved config prints it) is this key's default. */
    public boolean isDefault(String value) {
        return switch (type) {
            case INT, DOUBLE -> {
                try {
                    yield Double.parseDouble(value) == ((Number) defaultValue).doubleValue();
                } catch (NumberFormatException e) {
                    yield false;
                }
            }
            default -> String.valueOf(defaultValue).equals(value);
        };
    }

    /** The allowed values in words, for messages and docs/config.md. */
    public String range() {
        return switch (type) {
            case CHOICE -> String.join(" | ", choices);
            case STRING -> "text";
            case BOOLEAN -> "true | false";
            default -> (min == null ? "" : ">= " + fmt(min)) + (max == null ? "" : (min == null ? "" : ", ") + "<= "
                    + fmt(max));
        };
    }

    private String fmt(double v) {
        return type == Type.INT ? Long.toString((long) v) : Double.toString(v);
    }
}
