package io.sparkrnn.jobs.ml;

import io.sparkrnn.jobs.config.ConfigKey;
import io.sparkrnn.jobs.config.ConfigSchema;
import java.io.Serializable;
import java.util.Locale;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;
import scala.runtime.AbstractFunction1;

/**
 * Typed Spark ML params made from config keys ({@link ConfigSchema}): the key's type, its range or choices as the
 * validator (a bad value is an {@link IllegalArgumentException} naming the param, the key and what is allowed),
 * its doc; {@link #defaultValue} is the key's default.
 */
final class ConfigParams {
    private ConfigParams() {
    }

    /** A param bound to the config key it sets. */
    record Binding(Param<?> param, String key) implements Serializable {
        /** The {@code key=value} setting of {@code value} (as {@code train --set} takes it). */
        String setting(Object value) {
            return key + "=" + value;
        }
    }

    static ConfigKey key(String path) {
        ConfigKey k = ConfigSchema.byPath().get(path);
        if (k == null) {
            throw new IllegalStateException("no config key " + path);
        }
        return k;
    }

    /** The key's default, typed as its param holds it. */
    static Object defaultValue(String path) {
        return key(path).defaultValue();
    }

    /** A param of the key's type: IntParam, DoubleParam, BooleanParam or a Param of String. */
    static Param<?> of(Identifiable parent, String name, String path) {
        ConfigKey k = key(path);
        String doc = k.doc() + " (config key " + path + "; " + k.range() + ")";
        Check check = new Check(parent.uid(), name, k);
        return switch (k.type()) {
            case INT -> new IntParam(parent, name, doc, check);
            case DOUBLE -> new DoubleParam(parent, name, doc, check);
            case BOOLEAN -> new BooleanParam(parent, name, doc);
            case CHOICE, STRING -> new Param<String>(parent.uid(), name, doc, check.strings());
        };
    }

    /**
     * A param of a stage's own (not a config key, e.g. {@code predict}'s options) holding a number {@code >= min},
     * or {@code > min} when {@code strict}; a value outside throws, naming the param and what is allowed.
     */
    static <P extends Param<?>> P bounded(Identifiable parent, String name, String doc, double min, boolean strict,
            boolean integer) {
        String range = (strict ? "> " : ">= ") + (integer ? String.valueOf((long) min) : String.valueOf(min));
        Bound check = new Bound(parent.uid(), name, min, strict, range);
        Param<?> p = integer ? new IntParam(parent, name, doc + " (" + range + ")", check)
                : new DoubleParam(parent, name, doc + " (" + range + ")", check);
        @SuppressWarnings("unchecked")
        P typed = (P) p;
        return typed;
    }

    /** A number at least (or above) a bound. */
    private static final class Bound extends AbstractFunction1<Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String parent;
        private final String name;
        private final double min;
        private final boolean strict;
        private final String range;

        Bound(String parent, String name, double min, boolean strict, String range) {
            this.parent = parent;
            this.name = name;
            this.min = min;
            this.strict = strict;
            this.range = range;
        }

        @Override
        public Object apply(Object value) {
            double v = ((Number) value).doubleValue();
            if (!(strict ? v > min : v >= min) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: param %s must be %s, found %s",
                        parent, name, range, value));
            }
            return Boolean.TRUE;
        }
    }

    /** The key's range or choices; a value outside them throws, naming param, key and what is allowed. */
    private static final class Check extends AbstractFunction1<Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String parent;
        private final String name;
        private final ConfigKey key;

        Check(String parent, String name, ConfigKey key) {
            this.parent = parent;
            this.name = name;
            this.key = key;
        }

        @Override
        public Object apply(Object value) {
            boolean ok = switch (key.type()) {
                case INT, DOUBLE -> {
                    double v = ((Number) value).doubleValue();
                    yield !Double.isNaN(v) && (key.min() == null || v >= key.min())
                            && (key.max() == null || v <= key.max());
                }
                case CHOICE -> key.choices().contains(value);
                case STRING -> value != null;
                case BOOLEAN -> true;
            };
            if (!ok) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: param %s (config key %s) must "
                        + "be %s, found %s", parent, name, key.path(), key.range(), value));
            }
            return Boolean.TRUE;
        }

        @SuppressWarnings("unchecked")
        scala.Function1<String, Object> strings() {
            return (scala.Function1<String, Object>) (scala.Function1<?, ?>) this;
        }
    }
}
