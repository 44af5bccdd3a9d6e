package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.checkpoint.Checkpoint;
import io.sparkrnn.driver.checkpoint.CheckpointStore;
import io.sparkrnn.driver.checkpoint.ModelTrainingState;
import io.sparkrnn.driver.checkpoint.RunInfo;
import io.sparkrnn.driver.round.ExecutorMemory;
import io.sparkrnn.driver.round.RoundSparkConf;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.model.Model;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.optim.OptimizerType;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.ConfigKey;
import io.sparkrnn.jobs.config.ConfigSchema;
import io.sparkrnn.jobs.config.JobConfig;
import io.sparkrnn.jobs.config.JobSettings;
import io.sparkrnn.jobs.report.RunReport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One {@code train} run of any task: the checkpoint folder (resume from the newest compatible checkpoint
 * unless {@code --fresh}); the task's data ({@link Task#prepare}); the round loop ({@link RoundLoop}: validation
 * every {@code eval.every} rounds and at the end, the best round and early stopping, {@code metrics.jsonl} and
 * checkpoints); and the final model, the best round's unless {@code train.final-model = last}, and
 * {@code eval.json} ({@link #finish}). The model folder keeps the state of the round loop at the model's round
 * ({@link ModelTrainingState}), from which a {@link WarmStart} run continues.
 */
final class TrainingRun {
    /**
     * Config keys that may change when a run resumes (how long, how often, where, how seq2seq decodes, when to stop
     * early and which round's model to write; not what makes a round the best).
     */
    private static final List<String> MAY_CHANGE = List.of("train.rounds", "train.max-minutes", "eval.every",
            "checkpoint.", "output.", "spark.", "decode.", "train.early-stopping.patience", "train.final-model");

    private final JobSettings job;
    private final JobConfig cfg;
    private final Location output;
    private final PrintStream out;
    private final boolean fresh;
    private final WarmStart warm;
    private final Function<JavaSparkContext, PreparedData> prepare;

    /** A run of {@code job} writing to {@code output} (its {@code output.dir}) from a fresh initialisation. */
    TrainingRun(JobSettings job, Location output, PrintStream out, boolean fresh) {
        this(job, output, out, fresh, (WarmStart) null);
    }

    /**
     * The {@code train} command's run: the task's data as read from {@code data.train}; a run that continues
     * {@code warm}'s model (null: one that starts from a fresh initialisation).
     */
    TrainingRun(JobSettings job, Location output, PrintStream out, boolean fresh, WarmStart warm) {
        this(job, output, out, fresh, warm, sc -> warm == null ? Tasks.of(job.task()).prepare(sc, job)
                : warm.prepare(Tasks.of(job.task()), sc, job));
    }

    /** A run on the data {@code prepare} gives (e.g. from the rows of a Spark Dataset). */
    TrainingRun(JobSettings job, Location output, PrintStream out, boolean fresh,
            Function<JavaSparkContext, PreparedData> prepare) {
        this(job, output, out, fresh, null, prepare);
    }

    private TrainingRun(JobSettings job, Location output, PrintStream out, boolean fresh, WarmStart warm,
            Function<JavaSparkContext, PreparedData> prepare) {
        this.job = job;
        this.cfg = job.config();
        this.output = output;
        this.out = out;
        this.fresh = fresh;
        this.warm = warm;
        this.prepare = prepare;
    }

    /**
     * Trains in a Spark context of its own (stopped at the end); a run that fails leaves no folder behind that it
     * made and never wrote to (an empty {@code checkpoints/} or {@code output.dir}), so that the next attempt meets
     * the folder as it was.
     */
    int run() {
        return run(null);
    }

    /**
     * As {@link #run()}, in the running context {@code sc} (left running), whose settings stay as its application
     * made them; null: a context of its own.
     */
    int run(JavaSparkContext sc) {
        Location checkpoints = output.resolve("checkpoints");
        boolean hadOutput;
        boolean hadCheckpoints;
        try {
            hadOutput = output.exists();
            hadCheckpoints = checkpoints.exists();
        } catch (IOException e) {
            throw new ConfigException("output.dir " + output + ": cannot read it: " + e.getMessage());
        }
        Set<Integer> cached = sc == null ? Set.of() : Set.copyOf(sc.getPersistentRDDs().keySet());
        try {
            return train(sc);
        } catch (RuntimeException | Error e) {
            removeIfMadeAndEmpty(checkpoints, hadCheckpoints, e);
            removeIfMadeAndEmpty(output, hadOutput, e);
            throw e;
        } finally {
            if (sc != null) {
                // the application goes on: the corpus, partitions and held-out part this run cached are dropped
                sc.getPersistentRDDs().forEach((id, rdd) -> {
                    if (!cached.contains(id)) {
                        rdd.unpersist(false);
                    }
                });
            }
        }
    }

    private static void removeIfMadeAndEmpty(Location dir, boolean existed, Throwable failure) {
        try {
            if (!existed && dir.isFolder() && dir.list(false).isEmpty()) {
                dir.delete();
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private int train(JavaSparkContext running) {
        Task task = Tasks.of(job.task());
        // Everything about the output folder is settled before Spark starts.
        CheckpointStore store = openStore();
        Optional<Checkpoint> latest = latest(store);
        if (latest.isPresent() && latest.get().round() > job.train().rounds()) {
            throw new ConfigException("output.dir " + output + " holds a checkpoint of round "
                    + latest.get().round() + ", past train.rounds = " + job.train().rounds()
                    + "; raise train.rounds to continue it, or use --fresh to start over");
        }
        // A finished model is replaced only when asked (output.overwrite) or by the run that continues it: --fresh
        // starts the training over, it does not give leave to delete a finished model.
        OutputDir dir = OutputDir.prepare(output, job.output().overwrite() || latest.isPresent());
        if (running != null) {
            return train(task, running, running.getConf(), store, latest, dir);
        }
        SparkConf conf = new SparkConf().setAppName("spark-rnn train " + task.name())
                .setIfMissing("spark.master", job.master());
        // BLAS/OpenMP threads per task = the cores each task holds, shared by its engine threads: no
        // oversubscription.
        String taskCpus = conf.get("spark.task.cpus", "1");
        int cpus;
        try {
            cpus = Integer.parseInt(taskCpus.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("spark.task.cpus expects a whole number of cores, found '" + taskCpus + "'");
        }
        conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS",
                Integer.toString(Math.max(1, cpus / job.train().engineThreads())));
        RoundSparkConf.apply(conf);
        ExecutorMemory.setLimits(conf);
        try (JavaSparkContext sc = SparkContexts.open(conf, "spark.master")) {
            sc.setLogLevel("WARN");
            return train(task, sc, conf, store, latest, dir);
        }
    }

    private int train(Task task, JavaSparkContext sc, SparkConf conf, CheckpointStore store,
            Optional<Checkpoint> latest, OutputDir dir) {
        try {
            PreparedData data = prepare.apply(sc);
            if (fresh) {
                // only now that the data has been read: bad data must not cost the checkpoints of the last run
                deleteCheckpoints(store);
            }
            out.print(data.describe());
            ModelSpec spec = data.spec();
            checkReplicaMemory(conf, spec);
            Optional<Checkpoint> resume = latest.map(c -> compatible(c, spec, data.files()));
            out.println("model: " + spec.describe());
            Model model = spec.newModel();
            FlatParams params = model.initParams(job.train().seed(), DataType.FLOAT);
            try (RoundTrainer trainer = new RoundTrainer(sc, job.train().setup(spec), job.train().round(),
                    params.flat().data().asFloat())) {
                List<String> history = new ArrayList<>();
                RunInfo.Best best = null;
                if (resume.isPresent()) {
                    trainer.restore(resume.get().state());
                    history.addAll(resume.get().info().metrics());
                    best = resume.get().info().best();
                    out.printf(Locale.ROOT, "resuming from %s (round %d of %d)%n", resume.get().name(),
                            trainer.round(), job.train().rounds());
                } else if (warm != null) {
                    trainer.restore(warm.initial(spec, params, data, job, out));
                }
                EarlyStopping early = new EarlyStopping(job.early(), best);
                RoundLoop.End end = new RoundLoop(job, out, trainer, data, params, store, history, early).run(dir);
                RoundTrainer.State last = trainer.state();
                RoundTrainer.State written = finalState(store, early.best(), last);
                params.flat().assign(Nd4j.createFromArray(written.params()));
                Map<String, byte[]> files = new LinkedHashMap<>(data.files());
                files.putAll(ModelTrainingState.encode(written));
                if (warm != null) {
                    files.putAll(warm.parentJson());
                }
                finish(task, data, model, params, dir, files, new Outcome(last.round(), written.round(), early.best(),
                        end));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + output, e);
        }
        return Main.OK;
    }

    /**
     * Checks the replicas' working memory against the executors' budget, for the model of this data (its vocabulary
     * read): a sequence model's window of k1 steps on each engine thread, an encoder-decoder's batch of pairs at the
     * longest source and output.
     */
    private void checkReplicaMemory(SparkConf conf, ModelSpec spec) {
        OptimizerType inner = job.train().inner().type();
        Runnable check = spec.match(
                s -> () -> ExecutorMemory.checkReplicas(conf, s.newModel(), inner, job.train().batch(),
                        job.train().k1(), job.train().engineThreads(), job.train().precision()),
                s -> () -> ExecutorMemory.checkReplicas(conf, s, inner, job.train().batch(), job.train().precision()));
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * What the round loop ended with: the rounds run, the round whose model is written ({@code train.final-model}),
     * the best validated round (null when none gave a number) and how the loop ended.
     */
    private record Outcome(long rounds, long modelRound, RunInfo.Best best, RoundLoop.End end) {
    }

    /**
     * The state whose model is written: with {@code train.final-model = best}, the best round's from its checkpoint
     * (which retention keeps), else, or when no round was validated, the last round's.
     */
    private RoundTrainer.State finalState(CheckpointStore store, RunInfo.Best best, RoundTrainer.State last) {
        if (!job.early().finalBest() || best == null || best.round() == last.round()) {
            return last;
        }
        String name = CheckpointStore.nameOf(best.round());
        try {
            return store.load(name).state();
        } catch (IOException | IllegalStateException e) {
            throw new IllegalStateException("train.final-model = best: cannot read " + name + ", the checkpoint of "
                    + "the best round, in " + store.dir() + " (" + e.getMessage() + "); the checkpoints are kept: run "
                    + "the command again with --set train.final-model=last to write the last round's model", e);
        }
    }

    /**
     * The end of every task's run: the model folder, then {@code eval.json} (the task's evaluation of the
     * held-out part plus the run's counters: rounds run, the round whose model was written, the best round and
     * how the run stopped).
     */
    private void finish(Task task, PreparedData data, Model model, FlatParams params, OutputDir dir,
            Map<String, byte[]> files, Outcome o) {
        dir.writeModel((d, provenance) -> ModelFiles.save(d, model, params, null, 0, provenance), files,
                cfg.render());
        ObjectNode eval = JsonNodeFactory.instance.objectNode();
        eval.put("task", task.name());
        eval.setAll(data.heldOut().evaluate(params));
        eval.put("rounds", o.rounds());
        eval.put("final_model", job.early().finalBest() ? "best" : "last");
        eval.put("model_round", o.modelRound());
        if (o.best() != null) {
            eval.put("best_round", o.best().round());
            eval.put("best_metric", "valid_" + o.best().metric());
            eval.put("best_value", o.best().value());
        }
        eval.put("stopped_early", o.end().stoppedEarly());
        eval.put("seconds_this_run", Math.round(o.end().seconds() * 10) / 10.0);
        eval.put("stopped_by_max_minutes", o.end().outOfTime());
        if (warm != null) {
            eval.set("warm_start", warm.report());
        }
        dir.writeJson("eval.json", eval + "\n");
        out.println("evaluation: " + summary(eval));
        if (o.best() != null) {
            out.printf(Locale.ROOT, "model: round %d of %d (train.final-model = %s); best validation %s %.4f at "
                    + "round %d%n", o.modelRound(), o.rounds(), job.early().finalBest() ? "best" : "last",
                    o.best().metric(), o.best().value(), o.best().round());
        }
        out.printf(Locale.ROOT, "done: model, checkpoints, metrics.jsonl and eval.json in %s%n", dir.path().absolute());
        RunReport.write(dir.path().folder(), "spark-rnn train " + cfg.source(), cfg.asStrings());
        out.println("report: " + dir.path().resolve(RunReport.FILE).absolute());
    }

    /** eval.json's numbers that are the run's counters, not figures of the model. */
    private static final Set<String> COUNTERS = Set.of("rounds", "model_round", "best_round", "best_value");

    /** The scalar fields of an evaluation, for the console. */
    static String summary(ObjectNode eval) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) eval::fields) {
            if (e.getValue().isNumber() && !COUNTERS.contains(e.getKey()) && !e.getKey().startsWith("seconds")) {
                sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                        .append(String.format(Locale.ROOT, "%.4f", e.getValue().asDouble()));
            }
        }
        return sb.toString();
    }

    private CheckpointStore openStore() {
        Location where = output.resolve("checkpoints");
        try {
            return CheckpointStore.open(where.fs(), where.path());
        } catch (IOException e) {
            throw new ConfigException("output.dir " + output + ": " + e.getMessage());
        }
    }

    /** The newest checkpoint, if any (none for {@code --fresh}, which deletes them once the data is read). */
    private Optional<Checkpoint> latest(CheckpointStore store) {
        if (fresh) {
            return Optional.empty();
        }
        try {
            return store.latestIfAny();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoints in " + store.dir(), e);
        }
    }

    private static void deleteCheckpoints(CheckpointStore store) {
        try {
            store.deleteAll();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the checkpoints in " + store.dir() + " for --fresh", e);
        }
    }

    /**
     * {@code c} if this run may continue it; a different run's checkpoints are refused, listing the keys. A key
     * that a checkpoint of an older version does not record had its default then, so it matches while this run
     * keeps the default.
     */
    private Checkpoint compatible(Checkpoint c, ModelSpec spec, Map<String, byte[]> files) {
        Map<String, String> mustMatch = new LinkedHashMap<>();
        Map<String, String> recorded = c.info().config();
        Map<String, ConfigKey> schema = ConfigSchema.byPath();
        cfg.asStrings().forEach((k, v) -> {
            boolean unrecordedDefault = !recorded.containsKey(k) && schema.containsKey(k)
                    && String.valueOf(schema.get(k).defaultValue()).equals(v);
            if (MAY_CHANGE.stream().noneMatch(k::startsWith) && !unrecordedDefault) {
                mustMatch.put(k, v);
            }
        });
        try {
            c.checkCompatible(spec, mustMatch);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("output.dir " + output + " holds checkpoints of a different run: "
                    + e.getMessage().replace('\n', ' ').replaceAll(" +", " "));
        }
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            byte[] saved = c.files().get(f.getKey());
            if (saved == null || !Arrays.equals(saved, f.getValue())) {
                throw new ConfigException("output.dir " + output + " holds checkpoints with another "
                        + f.getKey() + " (the data changed); use --fresh to start over or another output.dir");
            }
        }
        return c;
    }
}
