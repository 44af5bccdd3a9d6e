package io.sparkrnn.bench;

import io.sparkrnn.jobs.ConfigException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A benchmark's command line options: {@code --key value} or {@code --key=value}, and flags that take no value;
 * an unknown key, a stray argument or a value of the wrong type is a {@link ConfigException} naming it.
 */
final class BenchOptions {
    private final Map<String, String> v = new LinkedHashMap<>();

    private BenchOptions() {
    }

    /** Parses {@code args} against the {@code known} keys, of which {@code flags} take no value. */
    static BenchOptions parse(String[] args, List<String> known, Set<String> flags) {
        BenchOptions o = new BenchOptions();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new ConfigException("unexpected argument '" + a + "'; options: --" + String.join(", --", known));
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (flags.contains(key)) {
                value = "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new ConfigException("option --" + key + " needs a value");
            }
            if (!known.contains(key)) {
                throw new ConfigException("unknown option --" + key + "; options: --" + String.join(", --", known));
            }
            o.v.put(key, value);
        }
        return o;
    }

    boolean has(String key) {
        return v.containsKey(key);
    }

    String get(String key) {
        return v.get(key);
    }

    String get(String key, String d) {
        return v.getOrDefault(key, d);
    }

    int integer(String key, int d) {
        return v.containsKey(key) ? integer(key, v.get(key)) : d;
    }

    long longValue(String key, long d) {
        try {
            return v.containsKey(key) ? Long.parseLong(v.get(key).trim()) : d;
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + key + " expects an integer, found '" + v.get(key) + "'");
        }
    }

    double number(String key, double d) {
        try {
            return v.containsKey(key) ? Double.parseDouble(v.get(key).trim()) : d;
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + key + " expects a number, found '" + v.get(key) + "'");
        }
    }

    /** {@code s}, a value of option {@code key} (or one item of its list), as an integer. */
    static int integer(String key, String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + key + " expects an integer, found '" + s + "'");
        }
    }
}
