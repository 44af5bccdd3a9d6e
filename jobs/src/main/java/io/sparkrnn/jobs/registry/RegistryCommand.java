package io.sparkrnn.jobs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sparkrnn.jobs.Cli;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.InputException;
import io.sparkrnn.jobs.Location;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spark-rnn registry list|show|register|promote|rollback}: the registry ({@link Registry}) by hand and for
 * scripts. Plain text for a person; {@code --json} for scripts. Exit codes as every command's: 2 for a bad name,
 * version or argument, 3 for a model that fails its manifest, 1 for a storage failure (a second writer included).
 */
@Command(name = "registry", synopsisHeading = "usage: ", customSynopsis = """
        spark-rnn registry list <root> [<name>] [--json]
               spark-rnn registry show <root> <name>[@<version>] [--json]
               spark-rnn registry register <root> <name> <model-dir> [--parent V] [--data <path>]... [--json]
               spark-rnn registry promote <root> <name>@<version> [--json]
               spark-rnn registry rollback <root> <name> [--json]""",
        descriptionHeading = "%n", description = """
        A registry of model versions under <root> (a local path or a URI such as hdfs://...):
        <root>/<name>/v0001, v0002, ... each a verified model folder with its version.json, and CURRENT naming the
        version that serves. register copies a model in as the next version (status registered); promote makes a
        version the serving one after checking it against its manifest; rollback puts back the version that served
        before. A version is given as 3, v3 or v0003. See docs/registry.md.""",
        commandListHeading = "%ncommands:%n", optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
        examples:
          bin/spark-rnn registry register out/registry char-lm out/char-lm
          bin/spark-rnn registry list out/registry char-lm
          bin/spark-rnn registry show out/registry char-lm@2
          bin/spark-rnn registry promote out/registry char-lm@2
          bin/spark-rnn registry rollback out/registry char-lm
          bin/spark-rnn evaluate out/registry/char-lm/v0002 --data data/samples/moby-dick/moby-dick.txt""")
public final class RegistryCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;
    @Mixin
    private Cli.HelpOption help;

    private RegistryCommand() {
    }

    /** {@code registry} and its commands, printing to {@code out}. */
    public static CommandLine commandLine(PrintStream out) {
        return new CommandLine(new RegistryCommand())
                .addSubcommand(new ListVersions(out))
                .addSubcommand(new Show(out))
                .addSubcommand(new Register(out))
                .addSubcommand(new Promote(out))
                .addSubcommand(new Rollback(out));
    }

    /** {@code registry} alone: its help, and exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    /** The options every registry command has: the root and --json. */
    abstract static class Base implements Callable<Integer> {
        final PrintStream out;
        @Parameters(index = "0", paramLabel = "<root>", description = "the registry's folder: a local path or a URI")
        String root;
        @Option(names = "--json", description = "print JSON for scripts instead of text")
        boolean json;
        @Mixin
        Cli.HelpOption help;

        Base(PrintStream out) {
            this.out = out;
        }

        Registry registry() {
            return Registry.open(Location.of(root, "<root>"));
        }

        void print(JsonNode n) {
            out.println(n.toString());
        }
    }

    /** {@code registry list <root> [<name>]}: the names, or a name's versions. */
    @Command(name = "list", synopsisHeading = "usage: ", descriptionHeading = "%n", parameterListHeading = "%n",
            optionListHeading = "%noptions:%n", description = "the model names with their serving version, or a name's versions",
            footerHeading = "%n", footer = "example:%n  bin/spark-rnn registry list out/registry char-lm")
    static final class ListVersions extends Base {
        @Parameters(index = "1", arity = "0..1", paramLabel = "<name>", description = "list this model's versions")
        String name;

        ListVersions(PrintStream out) {
            super(out);
        }

        @Override
        public Integer call() {
            Registry r = registry();
            if (name == null) {
                ArrayNode a = Registry.JSON.createArrayNode();
                for (String n : r.names()) {
                    List<Version> versions = r.list(n);
                    Optional<Version> cur = versions.stream().filter(Version::current).findFirst();
                    ObjectNode o = a.addObject();
                    o.put("name", n);
                    o.put("versions", versions.size());
                    o.put("latest", versions.isEmpty() ? null : versions.get(versions.size() - 1).label());
                    o.put("current", cur.map(Version::label).orElse(null));
                    if (!json) {
                        out.printf("%-24s %d version%s, latest %s, serving %s%n", n, versions.size(),
                                versions.size() == 1 ? "" : "s", o.path("latest").asText("none"),
                                cur.map(Version::label).orElse("none"));
                    }
                }
                if (json) {
                    print(a);
                } else if (a.isEmpty()) {
                    out.println("no models in " + r.root());
                }
                return 0;
            }
            ArrayNode a = Registry.JSON.createArrayNode();
            for (Version v : r.list(name)) {
                a.add(VersionText.summary(v));
                if (!json) {
                    out.println(VersionText.line(v));
                }
            }
            if (json) {
                print(a);
            }
            return 0;
        }
    }

    /** {@code registry show <root> <name>[@version]}: one version in full (default: the serving one, else the newest). */
    @Command(name = "show", synopsisHeading = "usage: ", descriptionHeading = "%n", parameterListHeading = "%n",
            optionListHeading = "%noptions:%n", description = "one version: status, parent, data, config, metrics, the gate's figures",
            footerHeading = "%n", footer = "example:%n  bin/spark-rnn registry show out/registry char-lm@2")
    static final class Show extends Base {
        @Parameters(index = "1", paramLabel = "<name>[@<version>]", description = "default version: the serving "
                + "one, else the newest")
        String target;

        Show(PrintStream out) {
            super(out);
        }

        @Override
        public Integer call() {
            Registry r = registry();
            int at = target.lastIndexOf('@');
            String name = at < 0 ? target : target.substring(0, at);
            Version v;
            if (at >= 0) {
                v = r.version(Names.check(name), Names.parseVersion(target.substring(at + 1), target));
            } else {
                List<Version> all = r.list(name);
                if (all.isEmpty()) {
                    throw new ConfigException(name + " has no versions in " + r.root());
                }
                v = r.current(name).orElse(all.get(all.size() - 1));
            }
            if (json) {
                print(VersionText.full(v));
            } else {
                out.print(VersionText.text(v));
            }
            return 0;
        }
    }

    /** {@code registry register <root> <name> <model-dir>}: a model folder in as the next version. */
    @Command(name = "register", synopsisHeading = "usage: ", descriptionHeading = "%n", parameterListHeading = "%n",
            optionListHeading = "%noptions:%n", description = "copy a model folder (or a run's output.dir) in as the next version, "
            + "status registered; the same inputs already registered register nothing",
            footerHeading = "%n", footer = "example:%n  bin/spark-rnn registry register out/registry char-lm out/char-lm")
    static final class Register extends Base {
        @Parameters(index = "1", paramLabel = "<name>", description = "the model's name")
        String name;
        @Parameters(index = "2", paramLabel = "<model-dir>", description = "a run's output.dir or its model folder")
        String modelDir;
        @Option(names = "--parent", paramLabel = "V", description = "the version it was trained further from")
        String parent;
        @Option(names = "--data", paramLabel = "<path>", description = "the data it was trained on (repeatable); "
                + "default data.train and data.validation of its config.conf")
        List<String> data = new ArrayList<>();
        Register(PrintStream out) {
            super(out);
        }

        @Override
        public Integer call() {
            Names.check(name);
            Registry r = registry();
            Location given = Location.of(modelDir, "<model-dir>");
            Location model = given;
            Location eval;
            try {
                if (given.resolve(Registry.MODEL).resolve("model.json").exists()) {
                    model = given.resolve(Registry.MODEL);
                    eval = given.resolve("eval.json");
                } else {
                    eval = given.parent() == null ? given.resolve("eval.json") : given.parent().resolve("eval.json");
                }
                List<String> paths = data.isEmpty() ? configData(model) : data;
                List<DataFingerprint> prints = paths.stream().map(DataFingerprint::of).toList();
                JsonNode metrics = eval.exists() ? Registry.JSON.readTree(eval.readBytes()) : null;
                Integer p = parent == null ? null : Names.parseVersion(parent, "--parent");
                VersionInfo info = new VersionInfo(p, prints, metrics, commandLine());
                String fingerprint = Hashes.fingerprint(prints,
                        Hashes.configSha256(model.resolve("config.conf").readString()), p);
                Optional<Version> same = r.find(name, fingerprint);
                if (same.isPresent()) {
                    report(same.get(), same.get() + " already holds these inputs (fingerprint "
                            + fingerprint.substring(0, 12) + "); nothing registered");
                    return 0;
                }
                Version v = r.register(name, given, info);
                report(v, "registered " + v + " (" + v.dir() + "), status " + v.status());
                return 0;
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new InputException("the eval.json beside " + model + " is not valid JSON: "
                        + e.getOriginalMessage());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + given, e);
            }
        }

        /** data.train and a separate data.validation of the model's config.conf. */
        private static List<String> configData(Location model) throws IOException {
            Location conf = model.resolve("config.conf");
            if (!conf.exists()) {
                throw new InputException("the model in " + model + " has no config.conf; name its data with --data");
            }
            Config c;
            try {
                c = ConfigFactory.parseString(conf.readString());
            } catch (com.typesafe.config.ConfigException e) {
                throw new InputException(conf + ": " + e.getMessage());
            }
            List<String> paths = new ArrayList<>();
            for (String key : List.of("data.train", "data.validation")) {
                if (c.hasPath(key) && !c.getString(key).isEmpty()) {
                    paths.add(c.getString(key));
                }
            }
            return paths;
        }

        /** This command as a person would type it again. */
        private String commandLine() {
            List<String> words = new ArrayList<>(List.of("spark-rnn", "registry", "register", root, name, modelDir));
            if (parent != null) {
                words.addAll(List.of("--parent", parent));
            }
            data.forEach(d -> words.addAll(List.of("--data", d)));
            List<String> quoted = new ArrayList<>();
            for (String w : words) {
                quoted.add(w.matches("[A-Za-z0-9_./:=@%+,-]+") ? w : "'" + w.replace("'", "'\\''") + "'");
            }
            return String.join(" ", quoted);
        }

        private void report(Version v, String text) {
            if (json) {
                print(VersionText.summary(v));
            } else {
                out.println(text);
            }
        }
    }

    /** {@code registry promote <root> <name>@<version>}: that version serves. */
    @Command(name = "promote", synopsisHeading = "usage: ", descriptionHeading = "%n", parameterListHeading = "%n",
            optionListHeading = "%noptions:%n", description = "make a version the serving one (CURRENT), after checking its manifest",
            footerHeading = "%n", footer = "example:%n  bin/spark-rnn registry promote out/registry char-lm@2")
    static final class Promote extends Base {
        @Parameters(index = "1", paramLabel = "<name>@<version>", description = "e.g. char-lm@2")
        String target;

        Promote(PrintStream out) {
            super(out);
        }

        @Override
        public Integer call() {
            int at = target.lastIndexOf('@');
            if (at < 0) {
                throw new ConfigException("promote needs <name>@<version>, e.g. char-lm@2; found '"
                        + Names.shown(target) + "'");
            }
            String name = Names.check(target.substring(0, at));
            int version = Names.parseVersion(target.substring(at + 1), target);
            Registry r = registry();
            Optional<Version> before = r.current(name);
            Version v = r.promote(name, version);
            if (json) {
                print(VersionText.summary(v));
            } else {
                out.println(name + ": serving " + v.label() + (before.isEmpty() ? " (nothing served before)"
                        : before.get().number() == version ? " (already serving)"
                        : " (was " + before.get().label() + ")"));
            }
            return 0;
        }
    }

    /** {@code registry rollback <root> <name>}: the version that served before serves again. */
    @Command(name = "rollback", synopsisHeading = "usage: ", descriptionHeading = "%n", parameterListHeading = "%n",
            optionListHeading = "%noptions:%n", description = "put back the version that served before the serving one, which is "
            + "marked rejected",
            footerHeading = "%n", footer = "example:%n  bin/spark-rnn registry rollback out/registry char-lm")
    static final class Rollback extends Base {
        @Parameters(index = "1", paramLabel = "<name>", description = "the model's name")
        String name;

        Rollback(PrintStream out) {
            super(out);
        }

        @Override
        public Integer call() {
            Registry r = registry();
            Version from = r.current(Names.check(name)).orElse(null);
            Version v = r.rollback(name);
            if (json) {
                print(VersionText.summary(v));
            } else {
                out.println(name + ": serving " + v.label() + " (rolled back from "
                        + (from == null ? "none" : from.label() + ", now rejected") + ")");
            }
            return 0;
        }
    }
}
