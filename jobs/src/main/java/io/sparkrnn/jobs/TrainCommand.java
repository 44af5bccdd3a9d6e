package io.sparkrnn.jobs;

import io.sparkrnn.driver.checkpoint.CheckpointPolicy;
import io.sparkrnn.driver.round.InnerStatePolicy;
import io.sparkrnn.driver.round.OuterOptimizer;
import io.sparkrnn.driver.round.ReplicaSetup;
import io.sparkrnn.driver.round.RoundConfig;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.optim.OptimizerType;
import io.sparkrnn.engine.train.TbpttConfig;
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
        customSynopsis = "spark-rnn train <config.conf> [--set key=value]... [--fresh]",
        descriptionHeading = "%n", description = """
                Trains a model as configured (HOCON); --set overrides single keys. A run whose output.dir holds
                checkpoints continues from the newest one (same model and training settings required; train.rounds
                may grow); --fresh deletes them (once the data has been read) and starts over. A folder that holds
                a finished model is refused unless output.overwrite = true.""",
        parameterListHeading = "%n", optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
                examples:
                  bin/spark-rnn train conf/char-lm.conf --set train.rounds=5
                  bin/spark-rnn train conf/brown-tagger.conf
                  bin/spark-rnn train conf/spam-classifier.conf --set model.pooling=mean
                  bin/spark-rnn train conf/births-forecast.conf --fresh
                  bin/spark-rnn train conf/cmudict-g2p.conf --set decode.beam=1""")
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
        JobConfig cfg = JobConfig.load(config == null ? null : Paths.get(config), sets);
        Job job = Job.of(cfg);
        out.println("spark-rnn train: config " + cfg.source());
        out.print(indent(cfg.render()));
        return new TrainingRun(job, cfg, out, fresh).run();
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
     * The config's model settings that do not depend on the data: a sequence task builds its {@link SequenceSpec}
     * from these and the sizes its data gives (vocabulary, tags, classes, columns).
     */
    record ModelSettings(CellType cell, int embedding, int hidden, int layers, boolean bidirectional, double dropout,
            double ioDropout, SequenceSpec.Pooling pooling) {
    }

    /**
     * A validated training job: everything checked before Spark starts. The model's spec comes from the task once
     * its data is read ({@link io.sparkrnn.driver.task.PreparedData#spec()}); {@link #setup} joins it with the inner
     * training settings here.
     */
    record Job(Task task, ModelSettings model, OptimizerConfig inner, LrSchedule schedule, TbpttConfig tbptt,
            int engineThreads, RoundConfig rounds, long totalRounds, int partitions, int batch, int k1, String train,
            String validation, String format, double validationFraction, Location output, boolean overwrite, String master,
            int evalEvery, long seed, CheckpointPolicy checkpoints, double maxMinutes) {

        static Job of(JobConfig c) {
            return of(c, true);
        }

        /** As {@link #of(JobConfig)}; {@code readsFiles} false: the data does not come from data.train. */
        static Job of(JobConfig c, boolean readsFiles) {
            int k1 = c.getInt("train.k1");
            int k2 = c.getInt("train.k2");
            if (k2 > k1) {
                throw new ConfigException(c.source() + ": train.k2 must be <= train.k1 = " + k1 + ", found " + k2);
            }
            double lr = c.getDouble("train.lr");
            if (!(lr > 0)) {
                throw new ConfigException(c.source() + ": train.lr must be > 0, found " + lr);
            }
            if (!(c.getDouble("train.outer-lr") > 0)) {
                throw new ConfigException(c.source() + ": train.outer-lr must be > 0, found "
                        + c.getDouble("train.outer-lr"));
            }
            String outer = c.getChoice("train.outer");
            double outerMomentum = c.getDouble("train.outer-momentum");
            if (outer.equals("nesterov") && outerMomentum == 0) {
                throw new ConfigException(c.source() + ": train.outer = nesterov needs train.outer-momentum > 0");
            }
            Task task = Tasks.of(c.getChoice("task"));
            String format = c.getChoice("data.format").equals("auto") ? task.defaultFormat() : c.getChoice("data.format");
            if (!task.formats().contains(format)) {
                throw new ConfigException(c.source() + ": data.format = " + format + " does not fit task = "
                        + task.name() + "; expected one of " + String.join(" | ", task.formats()));
            }
            String train = c.getString("data.train");
            if (readsFiles) {
                requireInput(c, "data.train", train, format);
            }
            String validation = c.getString("data.validation");
            if (!validation.isEmpty() && readsFiles) {
                requireInput(c, "data.validation", validation, format);
            }
            boolean bidirectional = c.getBoolean("model.bidirectional");
            if (bidirectional && k2 != k1) {
                throw new ConfigException(c.source() + ": model.bidirectional = true needs train.k2 = train.k1 = " + k1
                        + ", found " + k2);
            }
            task.check(c);
            OptimizerConfig inner = OptimizerConfig.defaults(OptimizerType.valueOf(
                    c.getChoice("train.optimizer").toUpperCase(Locale.ROOT)));
            if (c.getDouble("train.weight-decay") > 0 || inner.type() == OptimizerType.ADAMW) {
                inner = inner.withWeightDecay(c.getDouble("train.weight-decay"));
            }
            double clip = c.getDouble("train.clip");
            long seed = c.getInt("train.seed");
            TbpttConfig tbptt = new TbpttConfig(k1, k2, clip > 0 ? ClipConfig.byNorm(clip) : ClipConfig.none(), seed);
            ModelSettings model = new ModelSettings(CellType.parse(c.getChoice("model.cell")),
                    c.getInt("model.embedding"), c.getInt("model.hidden"), c.getInt("model.layers"), bidirectional,
                    c.getDouble("model.dropout"), c.getDouble("model.io-dropout"),
                    SequenceSpec.Pooling.valueOf(c.getChoice("model.pooling").toUpperCase(Locale.ROOT)));
            requireRoom(c, model, Runtime.getRuntime().maxMemory());
            double globalClip = c.getDouble("train.global-clip");
            OuterOptimizer.Config outerCfg = outer.equals("plain")
                    ? new OuterOptimizer.Config(OuterOptimizer.Type.PLAIN, c.getDouble("train.outer-lr"), 0)
                    : OuterOptimizer.Config.nesterov(c.getDouble("train.outer-lr"), outerMomentum);
            RoundConfig rounds = RoundConfig.defaults(c.getInt("train.local-steps"))
                    .withClipNorm(globalClip > 0 ? globalClip : Double.POSITIVE_INFINITY)
                    .withOuter(outerCfg)
                    .withInnerState(InnerStatePolicy.valueOf(c.getChoice("train.inner-state").toUpperCase(Locale.ROOT)));
            return new Job(task, model, inner, LearningRates.of(c), tbptt, c.getInt("train.engine-threads"), rounds,
                    c.getInt("train.rounds"), c.getInt("train.partitions"), c.getInt("train.batch"), k1, train,
                    validation, format, c.getDouble("data.validation-fraction"),
                    Location.of(c.getString("output.dir"), c.source() + ": output.dir"), c.getBoolean("output.overwrite"),
                    c.getString("spark.master"),
                    c.getInt("eval.every"), seed, new CheckpointPolicy(c.getInt("checkpoint.every-rounds"),
                            c.getDouble("checkpoint.every-minutes"), c.getInt("checkpoint.keep-last"),
                            c.getInt("checkpoint.keep-every")), c.getDouble("train.max-minutes"));
        }

        /**
         * Refuses, before Spark starts or any data is read, a model whose recurrent stack alone (a vocabulary of
         * one token, one output) cannot exist: more parameters than one float32 vector holds, or more than the
         * driver can keep three copies of (the parameters, the outer step's state and the round's average).
         */
        static void requireRoom(JobConfig c, ModelSettings m, long driverHeap) {
            long params = new SequenceSpec(1, m.embedding(), -1, 0, m.cell(), m.hidden(), m.layers(), m.bidirectional(),
                    m.dropout(), SequenceSpec.Topology.ALIGNED, null, 1, SequenceSpec.Loss.CROSS_ENTROPY, -100,
                    m.ioDropout()).layout().size();
            String what = String.format(Locale.ROOT, "model.hidden = %d, model.layers = %d and model.embedding = %d "
                    + "give at least %,d parameters before the vocabulary is known", m.hidden(), m.layers(),
                    m.embedding(), params);
            if (params > Integer.MAX_VALUE - 8) {
                throw new ConfigException(c.source() + ": " + what + "; a model's parameters are one float32 vector "
                        + "of at most " + String.format(Locale.ROOT, "%,d", Integer.MAX_VALUE - 8));
            }
            if (params * Float.BYTES * 3 > driverHeap) {
                throw new ConfigException(c.source() + ": " + what + String.format(Locale.ROOT, " (%,d MiB as "
                        + "float32), and the driver keeps three copies in a heap of %,d MiB: make the model smaller "
                        + "or give the driver more memory (spark.driver.memory, or SPARK_RNN_JAVA_OPTS=-Xmx... for "
                        + "bin/spark-rnn)", params * Float.BYTES >> 20, driverHeap >> 20));
            }
        }

        /**
         * An input's scheme must have a file system here ({@link Location}); a local input must exist (a folder for
         * format folders). Remote paths and globs are checked by the reader, through Spark.
         */
        private static void requireInput(JobConfig c, String key, String path, String format) {
            Location where = Location.of(path, c.source() + ": " + key);
            if (!where.isLocal() || path.matches(".*[*?\\[{].*")) {
                return;
            }
            boolean ok;
            try {
                ok = format.equals("folders") ? where.isFolder() : where.exists();
            } catch (IOException e) {
                throw new ConfigException(c.source() + ": " + key + ": cannot read " + where + ": " + e.getMessage());
            }
            if (!ok) {
                throw new ConfigException(c.source() + ": " + key + ": no such " + (format.equals("folders")
                        ? "folder " : "file ") + where.path().toUri().getPath());
            }
        }

        /** What every replica of the round loop builds its model and optimizer from. */
        ReplicaSetup setup(ModelSpec spec) {
            return new ReplicaSetup(spec, inner, schedule, tbptt, engineThreads);
        }
    }
}
