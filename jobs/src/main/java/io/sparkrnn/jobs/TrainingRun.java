package io.sparkrnn.jobs;

import io.sparkrnn.driver.checkpoint.Checkpoint;
import io.sparkrnn.driver.checkpoint.CheckpointStore;
import io.sparkrnn.driver.checkpoint.RunInfo;
import io.sparkrnn.driver.corpus.CharCorpus;
import io.sparkrnn.driver.round.ExecutorMemory;
import io.sparkrnn.driver.round.PartitionData;
import io.sparkrnn.driver.round.RoundMetrics;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.driver.round.StreamPartitions;
import io.sparkrnn.driver.round.WorkerSetup;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.StreamLoss;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One {@code train} run of a character language model: corpus, vocabulary and split; the checkpoint folder
 * (resume from the newest compatible checkpoint unless {@code --fresh}); the round loop with validation,
 * metrics and checkpoints; and the final model, {@code metrics.jsonl} and {@code eval.json}.
 */
final class LmTrainingRun {
    /** Config keys that may change when a run resumes (how long, how often, where). */
    private static final List<String> MAY_CHANGE = List.of("train.rounds", "eval.every", "checkpoint.", "output.",
            "spark.");
    private static final String VOCAB = "vocab-chars.txt";

    private final TrainCommand.Job job;
    private final JobConfig cfg;
    private final PrintStream out;
    private final boolean fresh;

    LmTrainingRun(TrainCommand.Job job, JobConfig cfg, PrintStream out, boolean fresh) {
        this.job = job;
        this.cfg = cfg;
        this.out = out;
        this.fresh = fresh;
    }

    int run() {
        CharCorpus corpus = CharCorpus.read(job.corpus());
        int[] ids = corpus.ids();
        int split = (int) Math.round(ids.length * (1 - job.validationFraction()));
        int[] train = Arrays.copyOfRange(ids, 0, split);
        int[] valid = Arrays.copyOfRange(ids, split, ids.length);
        ModelSpec s = job.spec();
        ModelSpec spec = ModelSpec.languageModel(corpus.vocabulary().size(), s.embeddingDim(), s.cell(),
                s.hiddenSize(), s.numLayers(), s.dropout());
        WorkerSetup setup = new WorkerSetup(spec, job.setup().inner(), job.setup().schedule(), job.setup().tbptt());
        SequenceModel model = new SequenceModel(spec);
        String vocabText = CharCorpus.vocabularyText(corpus.vocabulary());

        // Everything about the output folder is settled before Spark starts.
        CheckpointStore store = openStore();
        Optional<Checkpoint> resume = resumePoint(store, spec, vocabText);
        OutputDir dir = OutputDir.prepare(job.output(), job.overwrite() || fresh || resume.isPresent());
        out.printf(Locale.ROOT, "corpus %s: %,d characters, vocabulary %d, %,d for training, %,d for validation%n",
                job.corpus(), ids.length, corpus.vocabulary().size(), train.length, valid.length);
        out.printf(Locale.ROOT, "model: %s %d x %d, %,d parameters%n", spec.cell().name().toLowerCase(Locale.ROOT),
                spec.numLayers(), spec.hiddenSize(), model.layout().size());
        FlatParams params = model.initParams(job.seed(), DataType.FLOAT);
        SparkConf conf = new SparkConf().setAppName("spark-rnn train").setIfMissing("spark.master", job.master());
        // BLAS/OpenMP threads per task = the cores each task holds: no oversubscription.
        conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", conf.get("spark.task.cpus", "1"));
        try {
            ExecutorMemory.configure(conf, model, setup.inner().type(), job.batch(), job.k1());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            JavaRDD<PartitionData> data;
            try {
                data = StreamPartitions.of(sc, train, job.partitions(), job.batch(), job.k1());
            } catch (IllegalArgumentException e) {
                throw new InputException(job.corpus() + ": " + e.getMessage());
            }
            if (valid.length < 2 * (job.k1() + 1)) {
                throw new InputException(job.corpus() + ": the validation part has " + valid.length
                        + " characters, too few for windows of " + job.k1() + "; raise data.validation-fraction");
            }
            try (RoundTrainer trainer = new RoundTrainer(sc, setup, job.rounds(), params.flat().data().asFloat())) {
                List<String> history = new ArrayList<>();
                if (resume.isPresent()) {
                    trainer.restore(resume.get().state());
                    history.addAll(resume.get().info().metrics());
                    out.printf(Locale.ROOT, "resuming from %s (round %d of %d)%n", resume.get().name(),
                            trainer.round(), job.totalRounds());
                }
                loop(trainer, data, model, params, valid, store, dir, spec, vocabText, history);
                params.flat().assign(Nd4j.createFromArray(trainer.params()));
                dir.writeModel(model, params, corpus.vocabulary(), cfg.render());
                out.printf(Locale.ROOT, "done: model, checkpoints, metrics.jsonl and eval.json in %s%n",
                        dir.path().toAbsolutePath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + job.output(), e);
        }
        return Main.OK;
    }

    private void loop(RoundTrainer trainer, JavaRDD<PartitionData> data, SequenceModel model, FlatParams params,
            int[] valid, CheckpointStore store, OutputDir dir, ModelSpec spec, String vocabText, List<String> history)
            throws IOException {
        long total = job.totalRounds();
        int evalLanes = Math.max(1, Math.min(16, valid.length / (job.k1() + 1)));
        Double bpc = null;
        long start = trainer.round();
        long t0 = System.nanoTime();
        try (Writer metrics = Files.newBufferedWriter(dir.path().resolve("metrics.jsonl"), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (String line : history) {
                metrics.write(line + "\n");
            }
            boolean savedLast = false;
            while (trainer.round() < total) {
                RoundMetrics m = trainer.round(data, total);
                long done = trainer.round();
                double elapsed = (System.nanoTime() - t0) / 1e9;
                String line = m.toConsole(total) + String.format(Locale.ROOT, "  eta %.0fs",
                        elapsed / (done - start) * (total - done));
                String json = m.toJson();
                if (done % job.evalEvery() == 0 || done == total) {
                    params.flat().assign(Nd4j.createFromArray(trainer.params()));
                    bpc = StreamLoss.bitsPerToken(model, params, valid, evalLanes, job.k1());
                    line += String.format(Locale.ROOT, "  valid %.3f bits/char", bpc);
                    json = json.substring(0, json.length() - 1)
                            + String.format(Locale.ROOT, ",\"valid_bits_per_char\":%.6f}", bpc);
                }
                out.println(line);
                history.add(json);
                metrics.write(json + "\n");
                metrics.flush();
                savedLast = job.checkpoints().shouldSave(done, Instant.now());
                if (savedLast) {
                    save(store, trainer, spec, vocabText, history, bpc);
                }
            }
            if (!savedLast && trainer.round() > start) {
                save(store, trainer, spec, vocabText, history, bpc);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (bpc == null) {
            params.flat().assign(Nd4j.createFromArray(trainer.params()));
            bpc = StreamLoss.bitsPerToken(model, params, valid, evalLanes, job.k1());
        }
        dir.writeJson("eval.json", String.format(Locale.ROOT, "{\"task\":\"lm\",\"valid_bits_per_char\":%.6f,"
                + "\"valid_perplexity\":%.6f,\"rounds\":%d,\"seconds_this_run\":%.1f}%n", bpc, Math.pow(2, bpc),
                trainer.round(), seconds));
        out.printf(Locale.ROOT, "validation %.3f bits/char after %d rounds (%.0f s in this run)%n", bpc,
                trainer.round(), seconds);
    }

    private void save(CheckpointStore store, RoundTrainer trainer, ModelSpec spec, String vocabText,
            List<String> history, Double bpc) throws IOException {
        RunInfo info = new RunInfo(Map.of("train.seed", job.seed()), Map.of("round", trainer.round()),
                cfg.asStrings(), history, bpc);
        String name = store.save(spec, trainer.state(), info, Map.of(VOCAB,
                vocabText.getBytes(StandardCharsets.UTF_8)));
        store.prune(job.checkpoints());
        out.println("checkpoint " + name);
    }

    private CheckpointStore openStore() {
        String where = job.output().resolve("checkpoints").toAbsolutePath().toUri().toString();
        try {
            return CheckpointStore.open(where, new Configuration());
        } catch (IOException e) {
            throw new ConfigException("output.dir " + job.output() + ": " + e.getMessage());
        }
    }

    /** The checkpoint to continue from, if any; a different run's checkpoints are refused, listing the keys. */
    private Optional<Checkpoint> resumePoint(CheckpointStore store, ModelSpec spec, String vocabText) {
        try {
            if (fresh) {
                store.deleteAll();
                return Optional.empty();
            }
            Optional<Checkpoint> c = store.latestIfAny();
            if (c.isEmpty()) {
                return c;
            }
            Map<String, String> mustMatch = new LinkedHashMap<>();
            cfg.asStrings().forEach((k, v) -> {
                if (MAY_CHANGE.stream().noneMatch(k::startsWith)) {
                    mustMatch.put(k, v);
                }
            });
            try {
                c.get().checkCompatible(spec, mustMatch);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("output.dir " + job.output() + " holds checkpoints of a different run: "
                        + e.getMessage().replace('\n', ' ').replaceAll(" +", " "));
            }
            byte[] saved = c.get().files().get(VOCAB);
            if (saved == null || !new String(saved, StandardCharsets.UTF_8).equals(vocabText)) {
                throw new ConfigException("output.dir " + job.output() + " holds checkpoints with another vocabulary "
                        + "(the corpus changed); use --fresh to start over or another output.dir");
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoints in " + store.dir(), e);
        }
    }
}
