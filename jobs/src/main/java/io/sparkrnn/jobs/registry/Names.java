package io.sparkrnn.jobs.registry;

import io.sparkrnn.jobs.config.ConfigException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The rules for model names and the spelling of version numbers ({@code v0003}; given as 3, v3 or v0003). */
final class Names {
    /** The longest name, in characters. */
    static final int MAX_LENGTH = 128;
    private static final Pattern VERSION = Pattern.compile("v?0*([1-9][0-9]{0,8})");
    /** A version folder's name. */
    static final Pattern FOLDER = Pattern.compile("v([0-9]{4,9})");

    private Names() {
    }

    /**
     * Returns {@code name} when it can be a folder of the registry on every file system; else a
     * {@link ConfigException} naming it and the rule it breaks.
     */
    static String check(String name) {
        String rule = broken(name);
        if (rule != null) {
            throw new ConfigException("model name '" + shown(name) + "' refused: " + rule);
        }
        return name;
    }

    private static String broken(String name) {
        if (name == null || name.isEmpty()) {
            return "a name must not be empty";
        }
        if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
            return "a name holds at most " + MAX_LENGTH + " characters";
        }
        if (name.startsWith(".")) {
            return "a name must not start with '.' (hidden and temporary files of the registry do)";
        }
        if (name.contains("..")) {
            return "a name must not contain '..'";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                return "a name must not contain a path separator ('/' or '\\')";
            }
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                return "a name must not contain control characters";
            }
            if (c == ':') {
                return "a name must not contain ':' (Hadoop paths cannot hold it)";
            }
            if (c == '@') {
                return "a name must not contain '@' (it separates the name from the version: name@3)";
            }
        }
        if (!name.strip().equals(name)) {
            return "a name must not start or end with white space";
        }
        return null;
    }

    /** The name with control characters escaped, for messages. */
    static String shown(String name) {
        if (name == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        name.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }

    /** The folder of version {@code n}: v0001 ... v9999, then as many digits as it takes. */
    static String folder(int n) {
        return String.format(Locale.ROOT, "v%04d", n);
    }

    /** The number of a version folder's name, or -1 for any other name. */
    static int number(String folder) {
        Matcher m = FOLDER.matcher(folder);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** A version as the user gives it: 3, v3 or v0003; else a {@link ConfigException} naming {@code what}. */
    static int parseVersion(String text, String what) {
        Matcher m = VERSION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(what + ": expected a version number (3, v3 or v0003), found '"
                    + shown(text) + "'");
        }
        return Integer.parseInt(m.group(1));
    }
}
