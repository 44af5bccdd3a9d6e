package io.sparkrnn.jobs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.InputException;
import io.sparkrnn.jobs.Location;
import io.sparkrnn.jobs.ModelManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.FileAlreadyExistsException;

/**
 * A model registry under a root folder on any Hadoop file system: {@code <root>/<name>/v0001, v0002, ...}, each
 * holding {@code model/} (a model folder as train writes it, verified against its manifest) and
 * {@code version.json}, and {@code <root>/<name>/CURRENT} naming the serving version ({@link CurrentFile}).
 *
 * <p>Nothing half-written is ever visible: a version is built in a hidden temporary folder and renamed to its number
 * in one step, a rename that fails when the number is taken (a second writer fails instead of replacing the first's
 * version); CURRENT and version.json are replaced in one step. Readers ignore names that start with '.'. One writer
 * per model name is expected (the nightly refresh); a second one cannot damage a version, and what CURRENT says is
 * the last promotion's word.
 */
public final class Registry {
    static final String MODEL = "model";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Location root;

    private Registry(Location root) {
        this.root = root;
    }

    /** The registry under {@code root}; nothing is created until the first {@link #register}. */
    public static Registry open(Location root) {
        return new Registry(root);
    }

    public Location root() {
        return root;
    }

    /** The model names, sorted. */
    public List<String> names() {
        try {
            if (!root.isFolder()) {
                return List.of();
            }
            List<String> names = new ArrayList<>();
            for (String n : root.list(false)) {
                if (!n.startsWith(".") && root.resolve(n).isFolder()) {
                    names.add(n);
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the registry " + root, e);
        }
    }

    /** The versions of {@code name}, oldest first; a name the registry does not hold is a {@link ConfigException}. */
    public List<Version> list(String name) {
        Location dir = folder(name);
        try {
            List<Integer> history = new CurrentFile(dir).read();
            List<Version> versions = new ArrayList<>();
            for (int n : numbers(dir)) {
                versions.add(VersionFile.read(root, name, n, history));
            }
            return versions;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }

    /** Version {@code number} of {@code name}; one the registry does not hold is a {@link ConfigException}. */
    public Version version(String name, int number) {
        Location dir = folder(name);
        try {
            if (!dir.resolve(Names.folder(number)).isFolder()) {
                throw new ConfigException(name + " has no version " + Names.folder(number) + " in " + root
                        + " (versions: " + labels(numbers(dir)) + ")");
            }
            return VersionFile.read(root, name, number, new CurrentFile(dir).read());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }

    /** The serving version of {@code name}, if one was promoted. */
    public Optional<Version> current(String name) {
        List<Integer> h = history(name);
        return h.isEmpty() ? Optional.empty() : Optional.of(version(name, h.get(0)));
    }

    /**
     * The version a reference names: {@code name@version} (3, v3 or v0003), or {@code name} for the serving one.
     * A name or version the registry does not hold, or a name with nothing promoted, is a {@link ConfigException}.
     */
    public Version resolve(String reference) {
        int at = reference.lastIndexOf('@');
        if (at < 0) {
            return current(Names.check(reference)).orElseThrow(() -> new ConfigException(reference + " has no "
                    + "serving version in " + root + " (nothing promoted); name one: " + reference + "@<version>"));
        }
        String name = Names.check(reference.substring(0, at));
        return version(name, Names.parseVersion(reference.substring(at + 1), reference));
    }

    /** The serving version's number, then those that served before it, most recent first. */
    public List<Integer> history(String name) {
        Location dir = folder(name);
        try {
            return new CurrentFile(dir).read();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }

    /**
     * The newest version of {@code name} whose inputs had {@code fingerprint} ({@link Hashes#fingerprint}), if any:
     * a refresh that finds one has nothing new to train. A name not yet registered has none.
     */
    public Optional<Version> find(String name, String fingerprint) {
        Names.check(name);
        try {
            if (!root.resolve(name).isFolder()) {
                return Optional.empty();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root, e);
        }
        List<Version> all = list(name);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).fingerprint().equals(fingerprint)) {
                return Optional.of(all.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * Registers a copy of {@code modelFolder} (a model folder, or a run's output.dir holding one) as the next
     * version of {@code name}, status registered: copied into a hidden folder, verified against its manifest there,
     * given its version.json and renamed to {@code vNNNN}. A model without a manifest, or one that does not match
     * it, is an {@link InputException}; a second writer that took the number first makes this fail with nothing
     * written.
     */
    public Version register(String name, Location modelFolder, VersionInfo info) {
        Names.check(name);
        Location src = modelFolderOf(modelFolder);
        if (!ModelManifest.verify(src)) {
            throw new InputException("the model in " + src + " has no " + ModelManifest.NAME + " (written before "
                    + "model folders had one): the registry keeps verifiable models only; train it again");
        }
        Location dir = root.resolve(name);
        Location tmp = null;
        try {
            String config = readConfig(src);
            if (info.parent() != null && !dir.resolve(Names.folder(info.parent())).isFolder()) {
                throw new ConfigException("parent version " + Names.folder(info.parent()) + " of " + name
                        + " does not exist in " + root);
            }
            dir.mkdirs();
            new CurrentFile(dir).repair();
            List<Integer> taken = numbers(dir);
            int n = taken.isEmpty() ? 1 : taken.get(taken.size() - 1) + 1;
            deleteDeadFolders(dir, n);
            tmp = dir.resolve("." + Names.folder(n) + "." + UUID.randomUUID() + ".tmp");
            Location model = tmp.resolve(MODEL);
            model.mkdirs();
            Storage.copyFiles(src, model);
            ModelManifest.verify(model);
            String configSha = Hashes.configSha256(config);
            VersionFile.create(tmp, name, n, info, configSha);
            Location target = dir.resolve(Names.folder(n));
            try {
                Storage.renameNew(tmp, target);
            } catch (FileAlreadyExistsException e) {
                throw new IOException("another writer registered " + name + " " + Names.folder(n) + " at the same "
                        + "time; nothing was written, register again", e);
            }
            tmp = null;
            return version(name, n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot register " + src + " as " + name + " in " + root + ": "
                    + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * Makes {@code version} the serving one: its model is verified against its manifest first (a damaged one is an
     * {@link InputException} and CURRENT stays), then CURRENT is replaced, then its version.json says promoted.
     * Older versions are not touched. Promoting the serving version changes nothing.
     */
    public Version promote(String name, int version) {
        Version v = version(name, version);
        verify(v);
        try {
            CurrentFile current = new CurrentFile(v.dir().parent());
            current.repair();
            List<Integer> history = current.read();
            if (!history.isEmpty() && history.get(0) == version
                    && Version.PROMOTED.equals(v.json().path("status").asText())) {
                return v;
            }
            if (history.isEmpty() || history.get(0) != version) {
                List<Integer> next = new ArrayList<>(List.of(version));
                history.stream().filter(h -> h != version).forEach(next::add);
                current.write(next);
            }
            settle(name, version, j -> {
                j.put("promoted_at", Instant.now().toString());
                j.remove("rejected_reason");
            });
            return version(name, version);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot promote " + v, e);
        }
    }

    /**
     * Gated promotion: records {@code gate} (both versions' figures on the same data) in the candidate's
     * version.json, then promotes it when it is at least as good as the serving version ({@link Gate#passes}),
     * else marks it rejected with the reason; CURRENT is then untouched.
     */
    public Version promoteIfAtLeastAsGood(String name, int version, Gate gate) {
        Integer serving = current(name).map(Version::number).orElse(null);
        ObjectNode record = gate.toJson(serving);
        if (gate.passes()) {
            VersionFile.update(version(name, version), j -> j.set("gate", record));
            return promote(name, version);
        }
        VersionFile.update(version(name, version), j -> {
            j.set("gate", record);
            j.put("status", Version.REJECTED);
            j.put("rejected_reason", "gate: " + gate.metric() + " on " + gate.data() + ": candidate "
                    + figure(gate.candidate(), gate.metric()) + ", serving " + (serving == null ? "none"
                    : Names.folder(serving) + " " + figure(gate.current(), gate.metric())));
        });
        return version(name, version);
    }

    private static String figure(JsonNode figures, String metric) {
        JsonNode v = figures == null ? null : figures.get(metric);
        return v == null ? "missing" : v.toString();
    }

    /**
     * Puts CURRENT back to the version that served before the serving one, verified first; the version rolled back
     * from is marked rejected. Nothing served before it: a {@link ConfigException}.
     */
    public Version rollback(String name) {
        Location dir = folder(name);
        try {
            CurrentFile current = new CurrentFile(dir);
            current.repair();
            List<Integer> history = current.read();
            if (history.isEmpty()) {
                throw new ConfigException(name + " has no serving version to roll back from (nothing promoted)");
            }
            if (history.size() == 1) {
                throw new ConfigException(name + " " + Names.folder(history.get(0)) + " is the only version ever "
                        + "promoted; there is nothing to roll back to");
            }
            int from = history.get(0);
            Version to = version(name, history.get(1));
            verify(to);
            current.write(history.subList(1, history.size()));
            VersionFile.update(version(name, from), j -> {
                j.put("status", Version.REJECTED);
                j.put("rejected_reason", "rolled back at " + Instant.now());
            });
            return version(name, to.number());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot roll back " + name, e);
        }
    }

    /** Checks a version's model against its manifest: a damaged or unverifiable one is an {@link InputException}. */
    public void verify(Version v) {
        if (!ModelManifest.verify(v.model())) {
            throw new InputException(v + ": " + v.model() + " has no " + ModelManifest.NAME + "; it cannot be "
                    + "verified");
        }
    }

    /** The model folder of a name's folder: refuses a hostile name, and a name the registry does not hold. */
    private Location folder(String name) {
        Names.check(name);
        Location dir = root.resolve(name);
        try {
            if (!dir.isFolder()) {
                throw new ConfigException("no model named '" + name + "' in the registry " + root
                        + (names().isEmpty() ? " (it holds none)" : " (it holds " + String.join(", ", names()) + ")"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root, e);
        }
        return dir;
    }

    private static List<Integer> numbers(Location dir) throws IOException {
        List<Integer> n = new ArrayList<>();
        for (String f : dir.list(false)) {
            int v = Names.number(f);
            if (v > 0 && dir.resolve(f).isFolder()) {
                n.add(v);
            }
        }
        n.sort(null);
        return n;
    }

    private static String labels(List<Integer> numbers) {
        return numbers.isEmpty() ? "none" : String.join(", ", numbers.stream().map(Names::folder).toList());
    }

    /** Writes a version's status as CURRENT and version.json say together, and {@code more}, into its version.json. */
    private void settle(String name, int n, java.util.function.Consumer<ObjectNode> more) {
        Version v = version(name, n);
        VersionFile.update(v, j -> {
            j.put("status", v.status());
            more.accept(j);
        });
    }

    /** A model folder, or the model/ folder of a run's output.dir. */
    private static Location modelFolderOf(Location given) {
        try {
            Location inner = given.resolve(MODEL);
            if (inner.resolve(ModelFiles.MODEL_JSON).exists()) {
                return inner;
            }
            if (!given.resolve(ModelFiles.MODEL_JSON).exists()) {
                throw new ConfigException("no model in " + given + " (expected " + ModelFiles.MODEL_JSON + ")");
            }
            return given;
        } catch (IOException e) {
            throw new InputException("cannot read the model in " + given + ": " + e.getMessage());
        }
    }

    private static String readConfig(Location model) throws IOException {
        Location conf = model.resolve("config.conf");
        if (!conf.exists()) {
            throw new InputException("the model in " + model + " has no config.conf; the registry records the "
                    + "config a version was trained with");
        }
        return new String(conf.readBytes(), StandardCharsets.UTF_8);
    }

    /**
     * Deletes the hidden folders of registers that died before their rename: a {@code .vNNNN.<id>.tmp} whose
     * number is below {@code next} was taken by a finished version, so it can never be renamed. (A folder with the
     * number {@code next} may be a second writer's, still working: it is left alone.)
     */
    private static void deleteDeadFolders(Location dir, int next) throws IOException {
        for (String f : dir.list(false)) {
            int dot = f.indexOf('.', 1);
            if (f.startsWith(".v") && f.endsWith(".tmp") && dot > 0) {
                int n = Names.number(f.substring(1, dot));
                if (n > 0 && n < next) {
                    dir.resolve(f).delete();
                }
            }
        }
    }

    private static void deleteQuietly(Location l) {
        if (l != null) {
            try {
                l.delete();
            } catch (IOException e) {
                // left behind as a hidden name, which readers ignore
            }
        }
    }
}
