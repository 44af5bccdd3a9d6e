package io.sparkrnn.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.sparkrnn.engine.util.Suggest;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A job's configuration: a HOCON file plus {@code --set key=value} overrides, checked against
 * {@link ConfigSchema} before Spark starts. Unknown keys are an error that names the nearest known key;
 * values are type- and range-checked with the file and key in the message.
 */
public final class JobConfig {
    private final Map<String, Object> values;
    private final Set<String> given;
    private final String source;

    private JobConfig(Map<String, Object> values, Set<String> given, String source) {
        this.values = values;
        this.given = given;
        this.source = source;
    }

    /**
     * Loads the {@code config.conf} of a model folder (its text, read from whatever file system holds the folder;
     * null: defaults only), which people hand to each other: data, never instructions. An {@code include} (of a
     * file, a URL or a class-path resource) or a {@code ${...}} substitution (of another key or an environment
     * variable) is refused naming the file, before anything is read or resolved; the saved file, as
     * {@link #render} writes it, has neither.
     *
     * @param source the file's path or URI, for messages
     */
    public static JobConfig loadSaved(String text, String source, List<String> overrides) {
        if (text == null) {
            return load(ConfigFactory.empty(), "(defaults)", overrides);
        }
        Config user;
        try {
            user = ConfigFactory.parseString(text, parseOptions().setOriginDescription(source)
                    .setIncluder(new NoIncludes(source)));
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException(e.getMessage().startsWith(source) ? e.getMessage()
                    : source + ": " + e.getMessage());
        }
        if (!user.isResolved()) {
            throw new ConfigException(source + ": a model folder's config.conf may not use ${...} "
                    + "substitutions; it holds plain values only");
        }
        return load(user, source, overrides);
    }

    private static ConfigParseOptions parseOptions() {
        return ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false);
    }

    /**
     * Loads {@code file} (may be null: defaults only) with overrides {@code key=value}. The job's config file is
     * the user's own and is read from the local disk; the paths in it may name any file system.
     */
    public static JobConfig load(Path file, List<String> overrides) {
        Config user = ConfigFactory.empty();
        String source = "(defaults)";
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("config file " + file + " does not exist or is not a file");
            }
            source = file.toString();
            try {
                user = ConfigFactory.parseFile(file.toFile(), parseOptions());
            } catch (com.typesafe.config.ConfigException e) {
                // Parse, and BadPath for a key with a leading or doubled period: both name the file and line
                throw new ConfigException(e.getMessage().startsWith(source) ? e.getMessage()
                        : source + ": " + e.getMessage());
            }
        }
        return load(user, source, overrides);
    }

    private static JobConfig load(Config user, String source, List<String> overrides) {
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set expects key=value, found '" + o + "'");
            }
            String key = o.substring(0, eq).trim();
            String value = o.substring(eq + 1).trim();
            try {
                Config one = ConfigFactory.parseString(quoteKey(key) + " = " + quoteIfNeeded(value));
                user = one.withFallback(user);
            } catch (com.typesafe.config.ConfigException e) {
                throw new ConfigException("--set " + o + ": " + e.getMessage());
            }
        }
        Config resolved;
        try {
            resolved = user.resolve();
        } catch (com.typesafe.config.ConfigException e) {
            // ${...} naming no key, or a cycle: the message names the file and line
            throw new ConfigException(e.getMessage().startsWith(source) ? e.getMessage()
                    : source + ": " + e.getMessage());
        }
        return resolve(resolved, source);
    }

    /** Refuses every kind of include, naming the file and what it asked for. */
    private record NoIncludes(String source) implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL,
            ConfigIncluderClasspath {
        @Override
        public ConfigIncluder withFallback(ConfigIncluder fallback) {
            return this;
        }

        private ConfigObject refuse(String what) {
            throw new ConfigException(source + ": a model folder's config.conf may not include other files or "
                    + "URLs; it holds plain values only (found include " + what + ")");
        }

        @Override
        public ConfigObject include(ConfigIncludeContext context, String what) {
            return refuse("\"" + what + "\"");
        }

        @Override
        public ConfigObject includeFile(ConfigIncludeContext context, java.io.File what) {
            return refuse("file(" + what + ")");
        }

        @Override
        public ConfigObject includeURL(ConfigIncludeContext context, java.net.URL what) {
            return refuse("url(" + what + ")");
        }

        @Override
        public ConfigObject includeResources(ConfigIncludeContext context, String what) {
            return refuse("classpath(" + what + ")");
        }
    }

    private static String quoteKey(String key) {
        return key;
    }

    private static String quoteIfNeeded(String v) {
        if (v.matches("-?[0-9.eE+-]+|true|false|Infinity|\".*\"")) {
            return v;
        }
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static JobConfig resolve(Config user, String source) {
        Map<String, ConfigKey> schema = ConfigSchema.byPath();
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            if (!schema.containsKey(e.getKey())) {
                throw new ConfigException(source + ": unknown key '" + e.getKey() + "'; did you mean '"
                        + Suggest.nearest(e.getKey(), schema.keySet()) + "'?");
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey k : schema.values()) {
            Object v = user.hasPath(k.path()) ? convert(k, user.getValue(k.path()), source) : k.defaultValue();
            check(k, v, source);
            values.put(k.path(), v);
        }
        Set<String> given = new LinkedHashSet<>();
        user.entrySet().forEach(e -> given.add(e.getKey()));
        return new JobConfig(values, given, source);
    }

    private static Object convert(ConfigKey k, ConfigValue v, String source) {
        Object raw = v.unwrapped();
        String where = source + ": " + k.path();
        switch (k.type()) {
            case INT -> {
                // A whole number outside int's range must not wrap (4294967298 would become 2) nor escape as
                // a NumberFormatException: it is refused with the value as written.
                BigDecimal d = null;
                if (raw instanceof Number n && Double.isFinite(n.doubleValue())) {
                    d = new BigDecimal(n.toString());
                } else if (raw instanceof String s && s.matches("-?\\d+")) {
                    d = new BigDecimal(s);
                }
                if (d == null || d.stripTrailingZeros().scale() > 0) {
                    throw new ConfigException(where + " expects a whole number, found " + render(v));
                }
                if (d.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) < 0
                        || d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
                    throw new ConfigException(where + " must be " + k.range() + " and at most " + Integer.MAX_VALUE
                            + ", found " + render(v));
                }
                return d.intValueExact();
            }
            case DOUBLE -> {
                if (raw instanceof Number n) {
                    return n.doubleValue();
                }
                if (raw instanceof String s) {
                    try {
                        return Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        // fall through
                    }
                }
                throw new ConfigException(where + " expects a number, found " + render(v));
            }
            case BOOLEAN -> {
                if (raw instanceof Boolean b) {
                    return b;
                }
                throw new ConfigException(where + " expects true or false, found " + render(v));
            }
            default -> {
                if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
                    throw new ConfigException(where + " expects a single value, found " + render(v));
                }
                return String.valueOf(raw).trim();
            }
        }
    }

    private static String render(ConfigValue v) {
        return v.render(ConfigRenderOptions.concise());
    }

    private static void check(ConfigKey k, Object v, String source) {
        String where = source + ": " + k.path();
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                throw new ConfigException(where + " must be a finite number (" + k.range() + "), found " + v);
            }
            if (k.min() != null && d < k.min() || k.max() != null && d > k.max()) {
                throw new ConfigException(where + " must be " + k.range() + ", found " + v);
            }
        }
        if (k.type() == ConfigKey.Type.CHOICE && !k.choices().contains(String.valueOf(v).toLowerCase(Locale.ROOT))) {
            throw new ConfigException(where + " must be one of " + k.range() + ", found '" + v + "'");
        }
        if (k.type() == ConfigKey.Type.STRING && k.defaultValue() != null && !k.defaultValue().toString().isEmpty()
                && String.valueOf(v).isEmpty()) {
            throw new ConfigException(where + " must not be empty");
        }
    }

    public int getInt(String path) {
        return (Integer) get(path);
    }

    public double getDouble(String path) {
        return ((Number) get(path)).doubleValue();
    }

    public boolean getBoolean(String path) {
        return (Boolean) get(path);
    }

    public String getString(String path) {
        return String.valueOf(get(path));
    }

    /** A choice, lower-cased. */
    public String getChoice(String path) {
        return getString(path).toLowerCase(Locale.ROOT);
    }

    private Object get(String path) {
        if (!values.containsKey(path)) {
            throw new IllegalArgumentException("no config key '" + path + "' in the schema");
        }
        return values.get(path);
    }

    /** Every key (defaults included) with its value as text, in schema order. */
    public Map<String, String> asStrings() {
        Map<String, String> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, String.valueOf(v)));
        return m;
    }

    /** Whether the config file or a {@code --set} gave {@code path} (false: it has its default). */
    public boolean isGiven(String path) {
        return given.contains(path);
    }

    /** Where the config came from. */
    public String source() {
        return source;
    }

    /** The resolved config (every key, defaults included) as HOCON, for the console and the saved model. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            String s = v instanceof String str ? "\"" + str.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : String.valueOf(v);
            sb.append(e.getKey()).append(" = ").append(s).append('\n');
        }
        return sb.toString();
    }
}
