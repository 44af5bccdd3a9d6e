package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.driver.corpus.Part;
import io.sparkrnn.driver.corpus.lm.CharCorpus;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobConfig;
import io.sparkrnn.jobs.config.JobSettings;
import io.sparkrnn.jobs.config.TaskMetrics;
import io.sparkrnn.jobs.registry.DataFingerprint;
import io.sparkrnn.jobs.registry.Gate;
import io.sparkrnn.jobs.registry.Hashes;
import io.sparkrnn.jobs.registry.Registry;
import io.sparkrnn.jobs.registry.Version;
import io.sparkrnn.jobs.registry.VersionInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code refresh}: one scheduled step of a model's life in the registry. Fingerprints the inputs (the config's data
 * paths, the config as train will save it, the serving version); when a version was made from the same inputs there
 * is nothing to do. Otherwise trains the serving version further (warm start) into the config's output.dir, registers
 * the result, scores it and the serving version on the same held-out data in one Spark context, and promotes it when
 * it is not worse by more than the tolerance ({@link Gate}). A version registered by a refresh that stopped before
 * its gate is gated by the next refresh with the same inputs instead of being trained again.
 */
@Command(name = "refresh", synopsisHeading = "usage: ", customSynopsis = """
        spark-rnn refresh <config.conf> --registry <root> --name <name> --promote-if-better <metric>
                          [--tolerance X] [--data-eval <path>] [--set key=value]...""",
        descriptionHeading = "%n", description = """
        Trains the registry's serving version of <name> further on the config's data (from scratch when nothing
        serves yet), registers the result as a new version and makes it serve when its <metric> on held-out data
        is at least as good as the serving version's, or worse by at most --tolerance (absolute, in the metric's
        units). Both are scored on the same data in one Spark context: --data-eval, else the config's
        data.validation, else the held-out part of data.train (both versions must then split it alike). Nothing is
        trained when a version was made from the same data, config and serving version. The run trains into the
        config's output.dir, replacing what a previous refresh left there (its model is in the registry); the
        config, output.dir included, is part of the inputs, so keep it the same from run to run.
        Exit codes: 0 promoted or unchanged, 4 trained and registered but not promoted, 2 config, 3 bad data,
        1 failed (docs/registry.md, Scheduled refresh).""",
        parameterListHeading = "%n", optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
        examples:
          bin/spark-rnn refresh conf/char-lm.conf --registry out/registry --name char-lm --promote-if-better bits_per_char
          bin/spark-rnn refresh conf/brown-tagger.conf --registry hdfs://nn/models --name tagger --promote-if-better accuracy --tolerance 0.002""")
final class RefreshCommand implements Callable<Integer> {
    /** Keys that decide how the held-out part of data.train is drawn: both versions must agree on them. */
    private static final List<String> SPLIT = List.of("data.format", "data.validation-fraction",
            "data.test-fraction", "train.seed");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The file in output.dir that holds a language model's held-out text, as both versions were scored on it. */
    static final String HELD_OUT = "refresh-held-out.txt";

    private final PrintStream out;
    /** Called between register and the gate; tests stop a refresh there as a crash would. */
    private final Consumer<Version> afterRegister;

    @Parameters(index = "0", paramLabel = "<config.conf>", description = "the job's config file (HOCON)")
    private String config;
    @Option(names = "--registry", required = true, paramLabel = "<root>", description = "the registry's root "
            + "folder: a local path or a URI (hdfs://...)")
    private String root;
    @Option(names = "--name", required = true, paramLabel = "<name>", description = "the model's name in the "
            + "registry")
    private String name;
    @Option(names = "--promote-if-better", required = true, paramLabel = "<metric>", description = "the figure "
            + "that decides, as evaluate names it (bits_per_char, accuracy, mae, per, bleu, ...)")
    private String metric;
    @Option(names = "--tolerance", paramLabel = "X", description = "promote a candidate worse by at most X in the "
            + "metric's units; default 0")
    private double tolerance;
    @Option(names = "--data-eval", paramLabel = "<path>", description = "the held-out data both versions are "
            + "scored on; default data.validation, else the held-out part of data.train")
    private String dataEval;
    @Option(names = "--set", paramLabel = "key=value", description = "override one config key; repeat for more")
    private List<String> sets = new ArrayList<>();
    @Mixin
    private Cli.HelpOption help;

    RefreshCommand(PrintStream out) {
        this(out, v -> { });
    }

    RefreshCommand(PrintStream out, Consumer<Version> afterRegister) {
        this.out = out;
        this.afterRegister = afterRegister;
    }

    @Override
    public Integer call() {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new ConfigException("--tolerance must be a number >= 0, found " + tolerance);
        }
        Registry registry = Registry.open(Location.of(root, "--registry"));
        Optional<Version> serving = serving(registry);
        WarmStart warm = serving.map(v -> WarmStart.open(v.model().toString())).orElse(null);
        Path file = Paths.get(config);
        List<String> overrides = new ArrayList<>(sets);
        // each refresh replaces the previous one's model in output.dir (the registry holds it) and its checkpoints
        overrides.add("output.overwrite=true");
        JobConfig cfg = warm == null ? JobConfig.load(file, overrides) : warm.config(file, overrides);
        JobSettings job = JobSettings.forTraining(cfg, (key, path, format) -> TrainCommand.requireInput(cfg.source(),
                key, path, format), Runtime.getRuntime().maxMemory());
        boolean lower = direction(job);
        Location output = Location.of(job.output().dir(), cfg.source() + ": output.dir");
        if (warm != null) {
            warm.checkOutput(output);
            checkSameSplit(job, warm);
        }
        Integer parent = serving.map(Version::number).orElse(null);
        List<DataFingerprint> data = dataPaths(job).stream().map(DataFingerprint::of).toList();
        String fingerprint = Hashes.fingerprint(data, Hashes.configSha256(cfg.render()), parent);
        Optional<Version> same = registry.names().contains(name) ? registry.find(name, fingerprint)
                : Optional.empty();
        if (same.isEmpty() && serving.isPresent() && servingMadeFromTheseInputs(registry, serving.get(), file,
                overrides, data)) {
            out.println("unchanged: " + serving.get().label() + ", the serving version, was made from the same "
                    + "data and config (warm-started from " + (serving.get().parent() == null ? "nothing"
                    : "v" + serving.get().parent()) + "); nothing trained");
            return Main.OK;
        }
        Version candidate;
        if (same.isPresent() && !same.get().status().equals(Version.REGISTERED)) {
            out.println("unchanged: " + same.get().label() + " was made from the same inputs (fingerprint "
                    + fingerprint.substring(0, 12) + ", status " + same.get().status() + "); nothing trained");
            return Main.OK;
        } else if (same.isPresent()) {
            candidate = same.get();
            out.println(candidate.label() + " was made from the same inputs but never gated (a refresh stopped "
                    + "before its gate); gating it now");
        } else {
            out.println("spark-rnn refresh " + name + ": " + (warm == null ? "nothing serves yet: training from "
                    + "scratch; the first version is promoted if it trains" : "warm start from "
                    + serving.get().label()) + "; config " + cfg.source());
            new TrainingRun(job, output, out, true, warm).run();
            candidate = registry.register(name, output, new VersionInfo(parent, data, metrics(output),
                    commandLine()));
            if (!candidate.fingerprint().equals(fingerprint)) {
                throw new IllegalStateException("the registered " + candidate + " has fingerprint "
                        + candidate.fingerprint() + ", not the " + fingerprint + " computed before training");
            }
            out.println("registered " + candidate);
            afterRegister.accept(candidate);
        }
        return gate(registry, candidate, serving.orElse(null), warm == null ? null : warm.parent(), job, lower);
    }

    /**
     * Whether the serving version is what this refresh made last time: its fingerprint is that of these data and
     * this config, warm-started from its own parent (from scratch when it has none). Once a refresh promoted its
     * candidate, the same inputs name a new parent, so the plain fingerprint alone would train again.
     */
    private boolean servingMadeFromTheseInputs(Registry registry, Version serving, Path file, List<String> overrides,
            List<DataFingerprint> data) {
        String config;
        try {
            if (serving.parent() == null) {
                config = JobConfig.load(file, overrides).render();
            } else {
                Version parent = registry.version(name, serving.parent());
                config = WarmStart.open(parent.model().toString()).config(file, overrides).render();
            }
        } catch (ConfigException | InputException e) {
            return false; // its parent cannot be read (or does not fit this config): the serving version is not ours
        }
        return serving.fingerprint().equals(Hashes.fingerprint(data, Hashes.configSha256(config), serving.parent()));
    }

    /**
     * Scores the candidate and the serving version ({@code cur}, its model as the warm start opened it) on the same
     * data in one Spark context, then promotes or not.
     */
    private int gate(Registry registry, Version candidate, Version serving, TrainedModel cur, JobSettings job,
            boolean lower) {
        TrainedModel cand = TrainedModel.open(candidate.model().toString());
        Part part;
        String corpus;
        if (dataEval != null) {
            corpus = dataEval;
            part = Part.ALL;
        } else if (!job.data().validation().isEmpty()) {
            corpus = job.data().validation();
            part = Part.ALL;
        } else if (job.task().equals("lm")) {
            corpus = lmHeldOut(job, Location.of(job.output().dir(), "output.dir")).toString();
            part = Part.ALL;
        } else {
            corpus = job.data().train();
            part = Part.VALIDATION;
        }
        JsonNode[] figures = ModelCommands.withSpark(job.master(), "refresh", sc -> new JsonNode[] {
            cand.task().evaluate(sc, cand, corpus, part),
            cur == null ? null : cur.task().evaluate(sc, cur, corpus, part)});
        String where = part == Part.ALL ? corpus : corpus + " (" + part.label() + " part)";
        Gate gate = new Gate(metric, lower, where, figures[0], figures[1], tolerance);
        Version after = registry.promoteIfAtLeastAsGood(name, candidate.number(), gate);
        String c = figure(figures[0]);
        if (after.current()) {
            out.println("promoted: " + after.label() + " serves " + name + " (" + metric + " " + c
                    + (serving == null ? ", nothing served before" : " vs " + serving.label() + " "
                    + figure(figures[1])) + " on " + where + ")");
            return Main.OK;
        }
        out.println("not promoted: " + after.label() + " " + metric + " " + c + " vs " + serving.label() + " "
                + figure(figures[1]) + " on " + where + " (" + (lower ? "lower" : "higher") + " is better, tolerance "
                + tolerance + "); " + serving.label() + " still serves");
        return Main.NOT_PROMOTED;
    }

    /**
     * A language model's held-out text: the last data.validation-fraction of data.train from the next line start
     * on (within the part training held out), written to {@link #HELD_OUT} in output.dir. A warm-started model
     * keeps its parent's vocabulary, so evaluate's {@code --part validation}, which needs the corpus's own, cannot
     * score both versions; this text can.
     */
    private static Location lmHeldOut(JobSettings job, Location output) {
        Location train = Location.of(job.data().train(), "data.train");
        double fraction = job.data().validationFraction();
        String text;
        try {
            if (!List.of("auto", "text").contains(job.data().format()) || !train.exists() || train.isFolder()
                    || fraction <= 0) {
                throw new ConfigException(job.config().source() + ": refresh scores a language model on the last "
                        + "data.validation-fraction of a data.train text file; this config has data.format = "
                        + job.data().format() + ", data.validation-fraction = " + fraction + ", data.train = "
                        + train + ": give --data-eval <text file> or data.validation");
            }
            text = CharCorpus.decodeText(train.readBytes(), train.toString());
            int n = text.codePointCount(0, text.length());
            int from = text.offsetByCodePoints(0, (int) Math.min(n, Math.ceil(n * (1 - fraction))));
            int line = from == 0 || text.charAt(from - 1) == '\n' ? from : text.indexOf('\n', from) + 1;
            String tail = text.substring(line > 0 ? line : from);
            if (tail.isBlank()) {
                throw new InputException(train + ": its last data.validation-fraction (" + fraction + ") holds no "
                        + "text to score; give --data-eval <text file>");
            }
            Location held = output.resolve(HELD_OUT);
            held.writeString(tail);
            return held;
        } catch (IOException e) {
            throw new InputException("cannot read " + train + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
    }

    private String figure(JsonNode figures) {
        JsonNode v = figures == null ? null : figures.get(metric);
        return v == null ? "missing" : String.format(Locale.ROOT, "%.6g", v.asDouble());
    }

    /** The serving version of the name, when the registry holds the name and one was promoted. */
    private Optional<Version> serving(Registry registry) {
        return registry.names().contains(name) ? registry.current(name) : Optional.empty();
    }

    /** True when lower is better for {@link #metric}; a metric the task does not report is a config error. */
    private boolean direction(JobSettings job) {
        List<String> reported = reported(job);
        if (!reported.contains(metric)) {
            throw new ConfigException("--promote-if-better " + metric + ": task = " + job.task() + " reports "
                    + String.join(", ", reported));
        }
        return TaskMetrics.lowerIsBetter(metric);
    }

    /** The figures of a task's evaluation that can decide a gate. */
    static List<String> reported(JobSettings job) {
        return TaskMetrics.evaluated(job.task(), job.lm(), job.data(), job.seq2seq());
    }

    /** Scoring the held-out part of data.train: the serving version must draw it as the candidate does. */
    private void checkSameSplit(JobSettings job, WarmStart warm) {
        if (dataEval != null || !job.data().validation().isEmpty() || job.task().equals("lm")) {
            return;
        }
        Map<String, String> mine = job.config().asStrings();
        Map<String, String> theirs = warm.parent().settings().config().asStrings();
        List<String> differ = SPLIT.stream().filter(k -> !Objects.equals(mine.get(k), theirs.get(k))).toList();
        if (!differ.isEmpty()) {
            throw new ConfigException(job.config().source() + ": the serving version draws the held-out part of "
                    + "data.train with other " + String.join(", ", differ) + " than this config: the two would be "
                    + "scored on different data; give --data-eval <path>, or data.validation");
        }
    }

    /** data.train and a separate data.validation, as {@code registry register} fingerprints them. */
    private static List<String> dataPaths(JobSettings job) {
        List<String> paths = new ArrayList<>(List.of(job.data().train()));
        if (!job.data().validation().isEmpty()) {
            paths.add(job.data().validation());
        }
        return paths;
    }

    private static JsonNode metrics(Location output) {
        try {
            Location eval = output.resolve("eval.json");
            return eval.exists() ? JSON.readTree(eval.readString()) : null;
        } catch (IOException e) {
            throw new InputException("cannot read " + output.resolve("eval.json") + ": " + e.getMessage());
        }
    }

    /** This command as a person would type it again. */
    private String commandLine() {
        StringBuilder sb = new StringBuilder("spark-rnn refresh " + config + " --registry " + root + " --name "
                + name + " --promote-if-better " + metric);
        if (tolerance != 0) {
            sb.append(" --tolerance ").append(tolerance);
        }
        if (dataEval != null) {
            sb.append(" --data-eval ").append(dataEval);
        }
        sets.forEach(s -> sb.append(" --set ").append(s));
        return sb.toString();
    }
}
