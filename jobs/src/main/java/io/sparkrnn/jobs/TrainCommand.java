package io.sparkrnn.jobs;

import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.ConfigKey;
import io.sparkrnn.jobs.config.ConfigSchema;
import io.sparkrnn.jobs.config.JobConfig;
import io.sparkrnn.jobs.config.JobSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code train}: reads the corpus, builds the vocabulary, partitions the data, runs the round loop on Spark,
 * validates every {@code eval.every} rounds, and writes the model, {@code metrics.jsonl} and {@code eval.json}
 * to {@code output.dir}.
 */
@Command(name = "train", synopsisHeading = "usage: ",
        customSynopsis = "spark-rnn train <config.conf> [--set key=value]... [--fresh] [--warm-start <model>]",
        descriptionHeading = "%n", description = """
                Trains a model as configured (HOCON); --set overrides single keys. A run whose output.dir holds
                checkpoints continues from the newest one (same model and training settings required; train.rounds
                may grow); --fresh deletes them (once the data has been read) and starts over. A folder that holds
                a finished model is refused unless output.overwrite = true. --warm-start continues a trained
                model (its architecture, weights, round counter and optimizer state) on this config's data.""",
        parameterListHeading = "%n", optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
                examples:
                  bin/spark-rnn train conf/char-lm.conf --set train.rounds=5
                  bin/spark-rnn train conf/brown-tagger.conf
                  bin/spark-rnn train conf/spam-classifier.conf --set model.pooling=mean
                  bin/spark-rnn train conf/births-forecast.conf --fresh
                  bin/spark-rnn train conf/cmudict-g2p.conf --set decode.beam=1
                  bin/spark-rnn train conf/char-lm.conf --warm-start out/char-lm --set output.dir=out/char-lm-2
                  bin/spark-rnn train conf/char-lm.conf --warm-start registry:out/registry#char-lm@3 --set output.dir=out/c3""")
final class TrainCommand implements Callable<Integer> {
    /** The help section that lists every config key (after the options, before the examples). */
    private static final String KEYS_SECTION = "keys";

    private final PrintStream out;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<config.conf>",
            description = "the job's config file (HOCON); without one, the defaults")
    private String config;
    @Option(names = "--set", paramLabel = "key=value", description = "override one config key; repeat for more, "
            + "later ones win")
    private List<String> sets = new ArrayList<>();
    @Option(names = "--fresh", description = "delete output.dir's checkpoints and start over instead of resuming")
    private boolean fresh;
    @Option(names = "--warm-start", paramLabel = "<model>", description = "continue this trained model (its "
            + "output.dir or model folder, local or hdfs://; or registry:<root>#<name>[@<version>], the serving "
            + "version without @) on the config's data; train.rounds counts the rounds added (docs/tasks.md, Warm "
            + "start; docs/registry.md)")
    private String warmStart;
    @Mixin
    private Cli.HelpOption help;

    private TrainCommand(PrintStream out) {
        this.out = out;
    }

    /** The command, its help listing every key of {@link ConfigSchema} with default, doc and range. */
    static CommandLine commandLine(PrintStream out) {
        CommandLine cl = new CommandLine(new TrainCommand(out));
        cl.getHelpSectionMap().put(KEYS_SECTION, help -> keys());
        List<String> sections = new ArrayList<>(cl.getHelpSectionKeys());
        sections.add(sections.indexOf(UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), KEYS_SECTION);
        cl.setHelpSectionKeys(sections);
        return cl;
    }

    @Override
    public Integer call() {
        WarmStart warm = warmStart == null ? null : WarmStart.open(warmStart);
        JobConfig cfg = warm == null ? JobConfig.load(config == null ? null : Paths.get(config), sets)
                : warm.config(config == null ? null : Paths.get(config), sets);
        JobSettings job = JobSettings.forTraining(cfg, (key, path, format) -> requireInput(cfg.source(), key, path,
                format), Runtime.getRuntime().maxMemory());
        Location output = Location.of(job.output().dir(), cfg.source() + ": output.dir");
        if (warm != null) {
            warm.checkOutput(output);
        }
        out.println("spark-rnn train: config " + cfg.source());
        out.print(indent(cfg.render()));
        return new TrainingRun(job, output, out, fresh, warm).run();
    }

    private static String indent(String s) {
        return "  " + s.replace("\n", "\n  ").stripTrailing() + "\n";
    }

    private static String keys() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nkeys and defaults:%n"));
        for (ConfigKey k : ConfigSchema.KEYS) {
            sb.append(String.format(Locale.ROOT, "  %-28s %-14s %s [%s]%n", k.path(), k.defaultValue(), k.doc(),
                    k.range()));
        }
        return sb.toString();
    }

    /**
     * An input's scheme must have a file system here ({@link Location}); a local input must exist (a folder for
     * format folders). Remote paths and globs are checked by the reader, through Spark.
     */
    static void requireInput(String source, String key, String path, String format) {
        Location where = Location.of(path, source + ": " + key);
        if (!where.isLocal() || path.matches(".*[*?\\[{].*")) {
            return;
        }
        boolean ok;
        try {
            ok = format.equals("folders") ? where.isFolder() : where.exists();
        } catch (IOException e) {
            throw new ConfigException(source + ": " + key + ": cannot read " + where + ": " + e.getMessage());
        }
        if (!ok) {
            throw new ConfigException(source + ": " + key + ": no such " + (format.equals("folders")
                    ? "folder " : "file ") + where.path().toUri().getPath());
        }
    }
}
