package io.sparkrnn.bench;

import io.sparkrnn.jobs.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One outer step of {@code bench scaling}'s 2-partition run, written {@code plain[:LR]} or
 * {@code nesterov[:LR[:MOMENTUM]]} on the command line ({@code --outer plain,nesterov:0.7:0.9}); the same three
 * numbers as {@code train.outer}, {@code train.outer-lr} and {@code train.outer-momentum}.
 *
 * @param outer    plain or nesterov
 * @param lr       outer learning rate (plain default 1 = parameter averaging; nesterov default 0.7)
 * @param momentum outer Nesterov momentum (0 for plain; nesterov default 0.9)
 */
record OuterSpec(String outer, double lr, double momentum) {
    static final double NESTEROV_LR = 0.7;
    static final double NESTEROV_MOMENTUM = 0.9;

    /** Parses a comma-separated list of specs; every error names the option and the offending spec. */
    static List<OuterSpec> parseList(String option, String text) {
        List<OuterSpec> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            out.add(parse(option, part.trim()));
        }
        return out;
    }

    static OuterSpec parse(String option, String spec) {
        String[] f = spec.split(":", -1);
        String kind = f[0].toLowerCase(Locale.ROOT);
        boolean plain = kind.equals("plain");
        if (!plain && !kind.equals("nesterov")) {
            throw new ConfigException("--" + option + ": expected plain[:LR] or nesterov[:LR[:MOMENTUM]], found '"
                    + spec + "'");
        }
        if (f.length > (plain ? 2 : 3)) {
            throw new ConfigException("--" + option + ": too many fields in '" + spec + "' (expected "
                    + (plain ? "plain[:LR]" : "nesterov[:LR[:MOMENTUM]]") + ")");
        }
        double lr = f.length > 1 ? number(option, spec, f[1]) : plain ? 1.0 : NESTEROV_LR;
        double momentum = plain ? 0.0 : f.length > 2 ? number(option, spec, f[2]) : NESTEROV_MOMENTUM;
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new ConfigException("--" + option + ": outer lr must be > 0 in '" + spec + "', found " + lr);
        }
        if (!plain && !(momentum > 0 && momentum < 1)) {
            throw new ConfigException("--" + option + ": nesterov momentum must be in (0, 1) in '" + spec
                    + "', found " + momentum);
        }
        return new OuterSpec(kind, lr, momentum);
    }

    private static double number(String option, String spec, String field) {
        try {
            return Double.parseDouble(field.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + option + ": '" + field + "' in '" + spec + "' is not a number");
        }
    }

    /** The settings with this outer step. */
    SparkBenchSettings applyTo(SparkBenchSettings s) {
        return s.withOuter(outer, lr, momentum);
    }

    /** {@code plain:1} or {@code nesterov:0.7:0.9}: the spec that parses back to this one. */
    String label() {
        return outer.equals("plain") ? "plain:" + fmt(lr) : "nesterov:" + fmt(lr) + ":" + fmt(momentum);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
