package io.sparkrnn.jobs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.jobs.InputException;
import io.sparkrnn.jobs.Location;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/** A version's {@code version.json}: written once with the version, replaced in one step when its status changes. */
final class VersionFile {
    static final String NAME = "version.json";
    static final String FORMAT = "spark-rnn-registry-version";

    private VersionFile() {
    }

    /** Writes the version.json of a new version into its (still hidden) folder {@code dir}. */
    static void create(Location dir, String name, int n, VersionInfo info, String configSha) throws IOException {
        ObjectNode json = Registry.JSON.createObjectNode();
        json.put("format", FORMAT);
        json.put("format_version", 1);
        json.put("name", name);
        json.put("version", n);
        if (info.parent() == null) {
            json.putNull("parent");
        } else {
            json.put("parent", info.parent());
        }
        json.put("status", Version.REGISTERED);
        json.put("created_at", Instant.now().toString());
        json.put("command", info.command());
        json.put("fingerprint", Hashes.fingerprint(info.data(), configSha, info.parent()));
        ArrayNode data = json.putArray("data");
        info.data().forEach(d -> data.add(d.toJson()));
        ObjectNode cfg = json.putObject("config");
        cfg.put("sha256", configSha);
        cfg.put("file", Registry.MODEL + "/config.conf");
        json.set("metrics", info.metrics());
        Storage.createNew(dir.resolve(NAME), Registry.JSON.writeValueAsBytes(json));
    }

    /**
     * A version as stored, with its status as CURRENT and version.json say together: a version CURRENT lists is
     * promoted (a promotion that stopped after CURRENT was replaced); one whose version.json says promoted but that
     * CURRENT no longer lists was rolled back, so rejected.
     */
    static Version read(Location root, String name, int n, List<Integer> history) throws IOException {
        Location dir = root.resolve(name).resolve(Names.folder(n));
        Location f = dir.resolve(NAME);
        ObjectNode json;
        try {
            JsonNode j = Registry.JSON.readTree(f.readBytes());
            if (!(j instanceof ObjectNode o) || !FORMAT.equals(o.path("format").asText())) {
                throw new InputException(f + " is not a registry version.json (\"format\": \"" + FORMAT + "\")");
            }
            json = o;
        } catch (FileNotFoundException e) {
            throw new InputException(dir + " has no " + NAME + ": not a registry version");
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new InputException(f + " is not valid JSON: " + e.getOriginalMessage());
        }
        String stored = json.path("status").asText(Version.REGISTERED);
        String status = history.contains(n) ? Version.PROMOTED
                : stored.equals(Version.PROMOTED) ? Version.REJECTED : stored;
        return new Version(name, n, dir, json, status, !history.isEmpty() && history.get(0) == n);
    }

    /** Replaces a version's version.json with {@code change} applied, in one step. */
    static void update(Version v, Consumer<ObjectNode> change) {
        ObjectNode j = v.json().deepCopy();
        change.accept(j);
        Location f = v.dir().resolve(NAME);
        Location tmp = v.dir().resolve("." + NAME + "." + UUID.randomUUID() + ".tmp");
        try {
            Storage.createNew(tmp, Registry.JSON.writeValueAsBytes(j));
            Storage.renameOver(tmp, f);
        } catch (IOException e) {
            try {
                tmp.delete();
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw new UncheckedIOException("cannot write " + f, e);
        }
    }
}
