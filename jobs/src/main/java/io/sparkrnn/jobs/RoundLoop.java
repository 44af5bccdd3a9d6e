package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.checkpoint.CheckpointStore;
import io.sparkrnn.driver.checkpoint.HadoopFiles;
import io.sparkrnn.driver.checkpoint.RunInfo;
import io.sparkrnn.driver.round.RoundMetrics;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.jobs.config.JobSettings;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The rounds of one {@link TrainingRun}: each round's line on the console and in {@code metrics.jsonl}, validation
 * every {@code eval.every} rounds and at the end, the best round and early stopping ({@link EarlyStopping}), and the
 * checkpoints: as {@code checkpoint.*} says, at every new best round (so that the best model can be written and
 * survives retention), and at the end.
 */
final class RoundLoop {
    /** How the loop ended: the seconds it took, and whether the time budget or early stopping ended it. */
    record End(double seconds, boolean outOfTime, boolean stoppedEarly) {
    }

    private final JobSettings job;
    private final PrintStream out;
    private final RoundTrainer trainer;
    private final PreparedData data;
    private final FlatParams params;
    private final CheckpointStore store;
    private final ModelSpec spec;
    private final List<String> history;
    private final EarlyStopping early;

    /**
     * @param params  a scratch copy of the parameters in the model's layout, for validation
     * @param history the metrics of the rounds before this run (a resumed one's), to which this run's are added
     * @param early   the best round so far (a resumed run's, from its checkpoint)
     */
    RoundLoop(JobSettings job, PrintStream out, RoundTrainer trainer, PreparedData data, FlatParams params,
            CheckpointStore store, List<String> history, EarlyStopping early) {
        this.job = job;
        this.out = out;
        this.trainer = trainer;
        this.data = data;
        this.params = params;
        this.store = store;
        this.spec = data.spec();
        this.history = history;
        this.early = early;
    }

    /**
     * Rounds until {@code train.rounds}; until the round in which this run's loop has used {@code train.max-minutes}
     * of wall-clock time (validation and checkpoints included), which is validated and checkpointed like the last
     * one; or until {@code train.early-stopping.patience} validations in a row did not improve on the best. A run
     * that resumes after early stopping trains no further unless the patience was raised.
     */
    End run(OutputDir dir) throws IOException {
        long total = job.train().rounds();
        long start = trainer.round();
        long t0 = System.nanoTime();
        double budget = job.train().maxMinutes() * 60;
        boolean outOfTime = false;
        boolean stoppedEarly = early.patienceRanOut();
        if (stoppedEarly && start < total) {
            out.println("early stopping stopped this run at round " + start + " (train.early-stopping.patience = "
                    + job.early().patience() + "); raise the patience to train on");
        }
        // Not try-with-resources: an HDFS stream throws its failure again from close(), which cannot suppress itself.
        FSDataOutputStream stream = dir.path().resolve("metrics.jsonl").create();
        Writer metrics = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
        try {
            for (String line : history) {
                metrics.write(line + "\n");
            }
            boolean savedLast = false;
            Double score = null;
            while (trainer.round() < total && !stoppedEarly) {
                RoundMetrics m = trainer.round(data.train(), total);
                long done = trainer.round();
                double elapsed = (System.nanoTime() - t0) / 1e9;
                outOfTime = budget > 0 && elapsed >= budget && done < total;
                double eta = elapsed / (done - start) * (total - done);
                StringBuilder line = new StringBuilder(m.toConsole(total)).append(String.format(Locale.ROOT,
                        "  eta %.0fs", budget > 0 ? Math.min(eta, Math.max(0, budget - elapsed)) : eta));
                ObjectNode json = m.toJson();
                score = null;
                boolean best = false;
                if (done % job.train().evalEvery() == 0 || done == total || outOfTime) {
                    PreparedData.Validation v = validate(json, line);
                    score = v.lowerIsBetter();
                    best = early.observe(done, watched(v));
                    if (best) {
                        line.append("  (best)");
                    }
                    stoppedEarly = early.patienceRanOut() && done < total;
                }
                out.println(line);
                String record = json.toString();
                history.add(record);
                metrics.write(record + "\n");
                metrics.flush();
                stream.hflush(); // visible to readers of the file now (HDFS: on the DataNodes)
                // the policy is asked every round: its clock counts from the last time it said save
                savedLast = job.output().checkpoints().shouldSave(done, Instant.now()) | best;
                if (savedLast) {
                    save(score);
                }
                if (outOfTime) {
                    String minutes = BigDecimal.valueOf(job.train().maxMinutes()).stripTrailingZeros().toPlainString();
                    out.printf(Locale.ROOT, "train.max-minutes = %s reached after round %d of %d (%.0f s): "
                            + "stopping; running the command again continues%n", minutes, done, total, elapsed);
                    break;
                }
                if (stoppedEarly) {
                    out.println(early.stopLine(done, total));
                }
            }
            if (!savedLast && trainer.round() > start) {
                // the last round was validated (train.rounds, the budget or early stopping ended the loop there)
                save(score);
            }
        } catch (IOException | RuntimeException e) {
            HadoopFiles.closeAfter(metrics, e);
            throw e;
        }
        metrics.close();
        return new End((System.nanoTime() - t0) / 1e9, outOfTime, stoppedEarly);
    }

    /** Validates the trainer's parameters; the figures go into the round's {@code json} and {@code line}. */
    private PreparedData.Validation validate(ObjectNode json, StringBuilder line) {
        params.flat().assign(Nd4j.createFromArray(trainer.params()));
        PreparedData.Validation v = data.heldOut().validate(params);
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
        return v;
    }

    /** The figure early stopping watches, which the config allowed because the task's validation gives it. */
    private double watched(PreparedData.Validation v) {
        Double value = v.metrics().get(early.metric());
        if (value == null) {
            throw new IllegalStateException("the validation of task = " + job.task() + " gave " + v.metrics().keySet()
                    + ", not train.early-stopping.metric = " + early.metric());
        }
        return value;
    }

    private void save(Double score) throws IOException {
        RunInfo info = new RunInfo(Map.of("train.seed", job.train().seed()), Map.of("round", trainer.round()),
                job.config().asStrings(), history, score, early.best());
        String name = store.save(spec, trainer.state(), info, data.files());
        store.prune(job.output().checkpoints());
        out.println("checkpoint " + name);
    }
}
