package io.sparkrnn.jobs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How the registry commands print a version: a line, a page of text, or JSON. */
final class VersionText {
    private VersionText() {
    }

    /** The fields a script needs to act on a version. */
    static ObjectNode summary(Version v) {
        ObjectNode o = Registry.JSON.createObjectNode();
        o.put("name", v.name());
        o.put("version", v.number());
        o.put("label", v.label());
        o.put("status", v.status());
        o.put("current", v.current());
        o.put("dir", v.dir().toString());
        if (v.parent() == null) {
            o.putNull("parent");
        } else {
            o.put("parent", v.parent());
        }
        o.put("created_at", v.createdAt());
        o.put("fingerprint", v.fingerprint());
        o.set("metrics", v.metrics());
        return o;
    }

    /** version.json as stored, with the status as CURRENT and version.json say together, and where it is. */
    static ObjectNode full(Version v) {
        ObjectNode o = v.json().deepCopy();
        o.put("status", v.status());
        o.put("current", v.current());
        o.put("dir", v.dir().toString());
        return o;
    }

    /** {@code * v0002  promoted  2026-12-07T09:30:00Z  parent v0001  valid_bits_per_char 2.41 ...}. */
    static String line(Version v) {
        return String.format(Locale.ROOT, "%s %s  %-10s  %s  parent %-5s  %s", v.current() ? "*" : " ", v.label(),
                v.status(), v.createdAt(), v.parent() == null ? "none" : Names.folder(v.parent()), figures(v.metrics()));
    }

    /** A version in full, a field a line. */
    static String text(Version v) {
        StringBuilder sb = new StringBuilder();
        sb.append(v.name()).append(' ').append(v.label()).append("  ").append(v.status())
                .append(v.current() ? ", serving" : "").append('\n');
        field(sb, "folder", v.dir().toString());
        field(sb, "parent", v.parent() == null ? "none" : Names.folder(v.parent()));
        field(sb, "created", v.createdAt());
        field(sb, "command", v.json().path("command").asText());
        field(sb, "fingerprint", v.fingerprint());
        for (JsonNode d : v.json().path("data")) {
            field(sb, "data", String.format(Locale.ROOT, "%s  %,d file%s, %,d bytes, modified %s",
                    d.path("path").asText(), d.path("files").asLong(), d.path("files").asLong() == 1 ? "" : "s",
                    d.path("bytes").asLong(), d.path("modified").asText()));
        }
        JsonNode cfg = v.json().path("config");
        field(sb, "config", cfg.path("file").asText() + "  sha256 " + cfg.path("sha256").asText());
        field(sb, "metrics", figures(v.metrics()));
        if (v.json().hasNonNull("promoted_at")) {
            field(sb, "promoted", v.json().path("promoted_at").asText());
        }
        JsonNode g = v.json().path("gate");
        if (g.isObject()) {
            String metric = g.path("metric").asText();
            JsonNode cur = g.path("current");
            field(sb, "gate", String.format(Locale.ROOT, "%s (%s is better) on %s: candidate %s, serving %s %s: %s",
                    metric, g.path("better").asText(), g.path("data").asText(), g.path("candidate").path(metric),
                    cur.path("version").isNull() ? "none" : Names.folder(cur.path("version").asInt()),
                    cur.path("figures").path(metric), g.path("passed").asBoolean() ? "passed" : "failed"));
        }
        if (v.json().hasNonNull("rejected_reason")) {
            field(sb, "rejected", v.json().path("rejected_reason").asText());
        }
        return sb.toString();
    }

    private static void field(StringBuilder sb, String key, String value) {
        sb.append(String.format(Locale.ROOT, "  %-12s %s%n", key, value));
    }

    /** The numeric figures at the top of eval.json, {@code key value} each. */
    private static String figures(JsonNode metrics) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) metrics::fields) {
            if (e.getValue().isNumber()) {
                parts.add(e.getKey() + " " + e.getValue().asText());
            }
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }
}
