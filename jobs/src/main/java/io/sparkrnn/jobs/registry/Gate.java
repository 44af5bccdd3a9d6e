package io.sparkrnn.jobs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A gated promotion's evidence: the candidate's and the serving version's figures, both measured by the caller on
 * the same data with the same command (evaluate's JSON), and the figure that decides. The candidate passes when its
 * figure is at least as good as the serving version's (equal passes), or worse by at most {@code tolerance} (in the
 * metric's units), or when nothing serves yet. A figure that is
 * missing or not a finite number, the candidate's or the serving version's, fails: when in doubt the serving
 * version stays.
 *
 * @param metric the deciding key of both figure objects, e.g. {@code bits_per_char} or {@code accuracy}
 * @param lowerIsBetter true for losses and error rates, false for accuracies and F1
 * @param data the data both were measured on, as given to evaluate
 * @param candidate the candidate's figures
 * @param current the serving version's figures (null when nothing serves)
 * @param tolerance how much worse than the serving version's the candidate's figure may be and still pass, in the
 *     metric's units (absolute, &gt;= 0)
 */
public record Gate(String metric, boolean lowerIsBetter, String data, JsonNode candidate, JsonNode current,
        double tolerance) {

    public Gate {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("a gate's tolerance must be a finite number >= 0, found " + tolerance);
        }
    }

    /** A gate without tolerance: the candidate must be at least as good. */
    public Gate(String metric, boolean lowerIsBetter, String data, JsonNode candidate, JsonNode current) {
        this(metric, lowerIsBetter, data, candidate, current, 0);
    }

    /** True when the candidate is at least as good as the serving version on {@link #metric}, within the tolerance. */
    public boolean passes() {
        double c = figure(candidate);
        if (!Double.isFinite(c)) {
            return false;
        }
        if (current == null) {
            return true;
        }
        double s = figure(current);
        if (!Double.isFinite(s)) {
            return false;
        }
        return lowerIsBetter ? c <= s + tolerance : c >= s - tolerance;
    }

    private double figure(JsonNode figures) {
        JsonNode v = figures == null ? null : figures.get(metric);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /** The record kept in the candidate's version.json. */
    ObjectNode toJson(Integer currentVersion) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("metric", metric);
        n.put("better", lowerIsBetter ? "lower" : "higher");
        n.put("data", data);
        n.put("tolerance", tolerance);
        n.set("candidate", candidate);
        ObjectNode cur = n.putObject("current");
        if (currentVersion == null) {
            cur.putNull("version");
        } else {
            cur.put("version", currentVersion);
        }
        cur.set("figures", current);
        n.put("passed", passes());
        return n;
    }
}
