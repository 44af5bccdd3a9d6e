package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.checkpoint.Checkpoint;
import io.sparkrnn.driver.checkpoint.CheckpointStore;
import io.sparkrnn.driver.checkpoint.HadoopFiles;
import io.sparkrnn.driver.checkpoint.ModelTrainingState;
import io.sparkrnn.driver.checkpoint.RunInfo;
import io.sparkrnn.driver.round.ExecutorMemory;
import io.sparkrnn.driver.round.RoundMetrics;
import io.sparkrnn.driver.round.RoundSparkConf;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.driver.round.TrainingPartition;
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
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One {@code train} run of any task: the checkpoint folder (resume from the newest compatible checkpoint
 * unless {@code --fresh}); the task's data ({@link Task#prepare}); the round loop with validation every
 * {@code eval.every} rounds and at the end, {@code metrics.jsonl} and checkpoints; and the final model and
 * {@code eval.json} ({@link #finish}). The model folder keeps the round loop's state
 * ({@link ModelTrainingState}), from which a {@link WarmStart} run continues.
 */
final class TrainingRun {
    /** Config keys that may change when a run resumes (how long, how often, where, how seq2seq decodes). */
    private static final List<String> MAY_CHANGE = List.of("train.rounds", "train.max-minutes", "eval.every",
            "checkpoint.", "output.", "spark.", "decode.");

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
                if (resume.isPresent()) {
                    trainer.restore(resume.get().state());
                    history.addAll(resume.get().info().metrics());
                    out.printf(Locale.ROOT, "resuming from %s (round %d of %d)%n", resume.get().name(),
                            trainer.round(), job.train().rounds());
                } else if (warm != null) {
                    trainer.restore(warm.initial(spec, params, data, job, out));
                }
                double seconds = loop(trainer, data.train(), data, params, store, dir, spec, history);
                params.flat().assign(Nd4j.createFromArray(trainer.params()));
                Map<String, byte[]> files = new LinkedHashMap<>(data.files());
                files.putAll(ModelTrainingState.encode(trainer.state()));
                if (warm != null) {
                    files.putAll(warm.parentJson());
                }
                finish(task, data, model, params, dir, files, trainer.round(), seconds,
                        trainer.round() < job.train().rounds());
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
                        job.train().k1(), job.train().engineThreads()),
                s -> () -> ExecutorMemory.checkReplicas(conf, s, inner, job.train().batch()));
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * Rounds until {@code train.rounds}, or until the round in which this run's loop has used
     * {@code train.max-minutes} of wall-clock time (validation and checkpoints included); that round is validated
     * and checkpointed like the last one. Returns the seconds spent.
     */
    private double loop(RoundTrainer trainer, JavaRDD<? extends TrainingPartition<?>> train, PreparedData data,
            FlatParams params, CheckpointStore store, OutputDir dir, ModelSpec spec, List<String> history)
            throws IOException {
        long total = job.train().rounds();
        Double score = null;
        long start = trainer.round();
        long t0 = System.nanoTime();
        double budget = job.train().maxMinutes() * 60;
        // Not try-with-resources: an HDFS stream throws its failure again from close(), which cannot suppress itself.
        FSDataOutputStream stream = dir.path().resolve("metrics.jsonl").create();
        Writer metrics = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
        try {
            for (String line : history) {
                metrics.write(line + "\n");
            }
            boolean savedLast = false;
            while (trainer.round() < total) {
                RoundMetrics m = trainer.round(train, total);
                long done = trainer.round();
                double elapsed = (System.nanoTime() - t0) / 1e9;
                boolean outOfTime = budget > 0 && elapsed >= budget && done < total;
                double eta = elapsed / (done - start) * (total - done);
                StringBuilder line = new StringBuilder(m.toConsole(total)).append(String.format(Locale.ROOT,
                        "  eta %.0fs", budget > 0 ? Math.min(eta, Math.max(0, budget - elapsed)) : eta));
                ObjectNode json = m.toJson();
                if (done % job.train().evalEvery() == 0 || done == total || outOfTime) {
                    params.flat().assign(Nd4j.createFromArray(trainer.params()));
                    PreparedData.Validation v = data.heldOut().validate(params);
                    score = v.lowerIsBetter();
                    boolean first = true;
                    for (Map.Entry<String, Double> e : v.metrics().entrySet()) {
                        json.set("valid_" + e.getKey(), RoundMetrics.rounded(e.getValue(), 6));
                        if (first) {
                            line.append(String.format(Locale.ROOT, "  valid %s %.4f", e.getKey(), e.getValue()));
                            first = false;
                        }
                    }
                    if (v.details() != null) {
                        v.details().fields().forEachRemaining(e -> json.set("valid_" + e.getKey(), e.getValue()));
                    }
                }
                out.println(line);
                String record = json.toString();
                history.add(record);
                metrics.write(record + "\n");
                metrics.flush();
                stream.hflush(); // visible to readers of the file now (HDFS: on the DataNodes)
                savedLast = job.output().checkpoints().shouldSave(done, Instant.now());
                if (savedLast) {
                    save(store, trainer, spec, data.files(), history, score);
                }
                if (outOfTime) {
                    String minutes = BigDecimal.valueOf(job.train().maxMinutes()).stripTrailingZeros().toPlainString();
                    out.printf(Locale.ROOT, "train.max-minutes = %s reached after round %d of %d (%.0f s): "
                            + "stopping; running the command again continues%n", minutes, done, total, elapsed);
                    break;
                }
            }
            if (!savedLast && trainer.round() > start) {
                save(store, trainer, spec, data.files(), history, score);
            }
        } catch (IOException | RuntimeException e) {
            HadoopFiles.closeAfter(metrics, e);
            throw e;
        }
        metrics.close();
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * The end of every task's run: the model folder, then {@code eval.json} (the task's evaluation of the
     * held-out part plus the run's counters).
     */
    private void finish(Task task, PreparedData data, Model model, FlatParams params, OutputDir dir,
            Map<String, byte[]> files, long rounds, double seconds, boolean stoppedByBudget) {
        dir.writeModel((d, provenance) -> ModelFiles.save(d, model, params, null, 0, provenance), files,
                cfg.render());
        ObjectNode eval = JsonNodeFactory.instance.objectNode();
        eval.put("task", task.name());
        eval.setAll(data.heldOut().evaluate(params));
        eval.put("rounds", rounds);
        eval.put("seconds_this_run", Math.round(seconds * 10) / 10.0);
        eval.put("stopped_by_max_minutes", stoppedByBudget);
        if (warm != null) {
            eval.set("warm_start", warm.report());
        }
        dir.writeJson("eval.json", eval + "\n");
        out.println("evaluation: " + summary(eval));
        out.printf(Locale.ROOT, "done: model, checkpoints, metrics.jsonl and eval.json in %s%n", dir.path().absolute());
        RunReport.write(dir.path().folder(), "spark-rnn train " + cfg.source(), cfg.asStrings());
        out.println("report: " + dir.path().resolve(RunReport.FILE).absolute());
    }

    /** The scalar fields of an evaluation, for the console. */
    static String summary(ObjectNode eval) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) eval::fields) {
            if (e.getValue().isNumber() && !e.getKey().equals("rounds") && !e.getKey().startsWith("seconds")) {
                sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                        .append(String.format(Locale.ROOT, "%.4f", e.getValue().asDouble()));
            }
        }
        return sb.toString();
    }

    private void save(CheckpointStore store, RoundTrainer trainer, ModelSpec spec, Map<String, byte[]> files,
            List<String> history, Double score) throws IOException {
        RunInfo info = new RunInfo(Map.of("train.seed", job.train().seed()), Map.of("round", trainer.round()),
                cfg.asStrings(), history, score);
        String name = store.save(spec, trainer.state(), info, files);
        store.prune(job.output().checkpoints());
        out.println("checkpoint " + name);
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
