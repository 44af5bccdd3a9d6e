package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.io.pytorch.PythonTorch;
import io.sparkrnn.jobs.Cli;
import io.sparkrnn.jobs.Location;
import io.sparkrnn.jobs.Main;
import io.sparkrnn.jobs.Seq2SeqSplit;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobConfig;
import io.sparkrnn.jobs.config.JobSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spark-rnn bench seq2seq}: our encoder-decoder against a PyTorch model of the same architecture and
 * hyper-parameters ({@link TorchSeq2Seq}), each trained for the same wall time on the split our job trains on
 * ({@link Seq2SeqSplit}), both outputs on the test part scored by our scorer beside the copy-the-source baseline.
 */
@Command(name = "seq2seq", header = "translation: ours and PyTorch at equal wall time", synopsisHeading = "%nusage: ",
        customSynopsis = """
                spark-rnn bench seq2seq <config> [--seconds 180] [--threads 2] [--set key=value]...
                                               [--work out/bench-seq2seq] [--json out.json]""",
        descriptionHeading = "%n", description = """
                For a seq2seq config with word targets (e.g. conf/translate.conf):
                  1. ours: the train command on the config with train.max-minutes = --seconds / 60, and
                     train.rounds and eval.every raised so that the budget ends training and only its last round
                     is validated (PyTorch does not validate; a schedule over train.rounds then barely decays:
                     --set train.rounds=N keeps one); output.dir = <work>/ours. Its eval.json gives the test
                     part's BLEU and chrF (greedy; beam search when decode.beam > 1).
                  2. the split that run trained on, written by the job's own split code into <work>/split
                     (train.tsv, validation.tsv, test.tsv: source<TAB>target, tokens as read).
                  3. PyTorch (scripts/torch_seq2seq.py): the same encoder, bridge, attention, input feeding,
                     tied embeddings, dropouts, label smoothing, Adam at train.lr (constant), train.clip and
                     train.batch, on ours' vocabularies, on --threads torch threads for as long as ours trained
                     (its round loop stops after the round in which --seconds ran out, so at least --seconds);
                     then the test sources decoded as ours are (greedy, or decode.beam with decode.alpha).
                     Skipped when no python3 imports torch (env SPARK_RNN_PYTHON names one).
                  4. PyTorch's outputs and the copy-the-source baseline scored by our sacreBLEU BLEU and chrF,
                     each test source once against all of its references.
                Ours runs on the config's spark.master (local[2]: 2 cores); compare it with --threads 2.""",
        optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
                examples:
                  bin/spark-rnn bench seq2seq conf/translate.conf --seconds 180 --json out/bench-seq2seq.json
                  bin/spark-rnn bench seq2seq conf/full/translate.conf --seconds 600 \\
                      --set data.train=/data/kjv-web/kjv-web.tsv""")
public final class Seq2SeqBench implements Callable<Integer> {
    static final String ROUNDS = "1000000";
    private final PrintStream out;

    @Parameters(index = "0", paramLabel = "<config>", description = "a seq2seq job config with word targets")
    private String config;
    @Option(names = "--seconds", paramLabel = "S", description = "training wall time of each; default 180")
    private double seconds = 180;
    @Option(names = "--threads", paramLabel = "N", description = "torch threads; default 2")
    private int threads = 2;
    @Option(names = "--set", paramLabel = "key=value", description = "a config setting, for both (repeatable)")
    private List<String> settings = new ArrayList<>();
    @Option(names = "--work", paramLabel = "<dir>", description = "a local folder for both runs' files, without a "
            + "run in it; default out/bench-seq2seq (ours' output.dir is <dir>/ours)")
    private String work = "out/bench-seq2seq";
    @Option(names = "--json", paramLabel = "<file>", description = "write the report here")
    private String json;
    @Mixin
    private Cli.HelpOption help;

    Seq2SeqBench(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new ConfigException("--seconds must be a positive number of seconds, found " + seconds);
        }
        if (threads < 1) {
            throw new ConfigException("--threads must be at least 1, found " + threads);
        }
        Location dir = Location.of(work, "--work");
        if (!dir.isLocal()) {
            throw new ConfigException("--work must be a local folder (the PyTorch script reads and writes it), found "
                    + work);
        }
        Path root = Paths.get(dir.path().toUri());
        if (Files.exists(root.resolve("ours"))) {
            // the train command would resume that run rather than train afresh
            throw new ConfigException("--work " + work + " already holds a run (" + root.resolve("ours")
                    + "); give a new folder or delete that one");
        }
        List<String> ours = new ArrayList<>();
        for (String key : List.of("train.rounds", "eval.every")) {
            if (settings.stream().noneMatch(s -> s.trim().startsWith(key))) {
                ours.add(key + "=" + ROUNDS);
            }
        }
        ours.addAll(settings);
        ours.add("train.max-minutes=" + seconds / 60);
        ours.add("output.dir=" + root.resolve("ours"));
        JobSettings job = JobSettings.of(JobConfig.load(Paths.get(config), ours));
        TorchSeq2Seq.Args args = TorchSeq2Seq.Args.of(job);

        ObjectNode report = BenchReport.begin("seq2seq", config + ", " + String.format(Locale.ROOT,
                "%.0f s of training each", seconds), out);
        report.put("config", config);
        report.set("settings", EngineBench.JSON.valueToTree(settings));
        report.put("seconds", seconds);
        int failures = 0;

        // ours: the train command itself
        List<String> train = new ArrayList<>(List.of("train", config));
        ours.forEach(s -> train.addAll(List.of("--set", s)));
        long t0 = System.nanoTime();
        int code = Main.run(train.toArray(String[]::new), out, out);
        double oursWall = (System.nanoTime() - t0) / 1e9;
        if (code != 0) {
            throw new IllegalStateException("ours: the train command ended with exit code " + code);
        }
        ObjectNode oursJson = OursSeq2Seq.read(root.resolve("ours"), args.beam(), oursWall, job.master());
        report.set("ours", oursJson);

        // the split it trained on, and the copy-the-source baseline on its test part
        Seq2SeqSplit.Counts counts = Seq2SeqSplit.write(job, dir.resolve("split"));
        ObjectNode split = report.putObject("split");
        split.put("train", counts.train());
        split.put("validation", counts.validation());
        split.put("test", counts.test());
        split.put("skipped_long_sources", counts.tooLong());
        if (counts.test() == 0) {
            throw new ConfigException("the test part is empty: bench seq2seq scores the test part; raise "
                    + "data.test-fraction");
        }
        TestSet test = TestSet.read(dir.resolve("split").resolve(Seq2SeqSplit.TEST));
        ObjectNode copy = report.putObject("copy");
        test.score(test.sources()).toJson(copy, "test_");
        copy.put("test_sources", test.sources().size());

        // PyTorch
        Optional<String> python = PythonTorch.find();
        ObjectNode torch = report.putObject("torch");
        if (python.isEmpty()) {
            torch.put("skipped", "no python3 imports torch (set SPARK_RNN_PYTHON to one that does)");
        } else {
            try {
                // ours' round loop ends after the round in which the budget ran out: PyTorch gets what it used
                double budget = Math.max(seconds, oursJson.get("train_seconds").asDouble());
                torch.setAll(TorchSeq2Seq.run(python.get(), args, root, test, budget, threads, counts.train()));
            } catch (RuntimeException e) {
                torch.put("error", String.valueOf(e.getMessage()));
                failures++;
            }
        }
        table(report);
        BenchReport.end(report, out);
        BenchReport.write(report, json, out);
        return failures == 0 ? 0 : 1;
    }

    /** The report's rows as a Markdown table. */
    private void table(ObjectNode report) {
        out.println();
        BenchReport.tableHeader(out, "run", "test BLEU", "test chrF", "epochs", "target tokens", "train s",
                "threads");
        row("ours", report.get("ours"));
        JsonNode torch = report.get("torch");
        if (torch.has("test_bleu")) {
            row("PyTorch " + torch.path("torch").asText(), torch);
        } else {
            out.printf(Locale.ROOT, "| PyTorch | %s | | | | | |%n", torch.has("skipped") ? "skipped: "
                    + torch.get("skipped").asText() : "failed: " + torch.path("error").asText());
        }
        row("copy the source", report.get("copy"));
        out.println();
    }

    private void row(String name, JsonNode n) {
        out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %s | %s | %s | %s |%n", name, n.get("test_bleu").asDouble(),
                n.get("test_chrf").asDouble(), n.has("epochs") ? String.format(Locale.ROOT, "%.2f",
                        n.get("epochs").asDouble()) : "", n.has("tokens") ? String.format(Locale.ROOT, "%,d",
                        n.get("tokens").asLong()) : "", n.has("train_seconds") ? String.format(Locale.ROOT, "%.0f",
                        n.get("train_seconds").asDouble()) : "", n.has("threads") ? n.get("threads").asText() : "");
    }
}
