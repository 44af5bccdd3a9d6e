package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.jobs.Cli;
import io.sparkrnn.jobs.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bench spark}: ours against dl4j-spark on the same partitions, tokens and averaging period. */
@Command(name = "spark", header = "distributed training: ours vs dl4j-spark on local[2]", synopsisHeading = "%nusage: ",
        customSynopsis = """
                spark-rnn bench spark [--impl ours,dl4j] [--rounds 8 | --tokens N] [--local-steps 25] [--json f]
                                             [--hidden 256] [--embedding 32] [--batch 32] [--k 50] [--lr 0.003]
                                             [--inner-state average] [--text data/samples/moby-dick/moby-dick.txt]
                                             [--eval-lanes 16] [--precision float32] [--round-tasks auto]""",
        descriptionHeading = "%n", description = SparkBench.SETUP + "\n" + """
                Ours (RoundTrainer, plain averaging) vs dl4j-spark's ParameterAveragingTrainingMaster on local[2] with
                2 partitions, same stream cut, same tokens, same averaging period (--tokens: rounds = ceil(tokens /
                tokens per round)). --precision bf16 runs our matrix products in bf16 (train.precision; float32 on
                a CPU without bf16 units, which the table and the report then say); dl4j-spark trains in float32.
                --round-tasks per-round makes each of our rounds a Spark job (the default on 2 partitions keeps the
                tasks resident across rounds: train.round-tasks).""",
        optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
                examples:
                  bin/spark-rnn bench spark --json out/bench-spark.json
                  bin/spark-rnn bench spark --impl ours --inner-state reset --rounds 16
                  bin/spark-rnn bench spark --precision bf16 --json out/bench-spark-bf16.json
                  bin/spark-rnn bench spark --impl ours --round-tasks per-round""")
final class SparkComparison implements Callable<Integer> {
    static final List<String> IMPLS = List.of("ours", "dl4j");
    private final SparkBench bench;

    @Mixin
    private SparkBench.Options options;
    @Option(names = "--impl", split = ",", paramLabel = "IMPL", description = "ours, dl4j; default both")
    private List<String> impls = new ArrayList<>(IMPLS);
    @Option(names = "--tokens", paramLabel = "N", description = "the token budget instead of --rounds")
    private Long tokens;
    @Option(names = "--precision", paramLabel = "float32|bf16", description = "ours' matrix products "
            + "(train.precision); default float32; dl4j-spark always float32")
    private String precision = SparkBenchSettings.defaults().precision();
    @Option(names = "--round-tasks", paramLabel = "auto|per-round|resident", description = "how ours' round tasks "
            + "live (train.round-tasks): a Spark job per round, or resident across rounds; default auto (resident on "
            + "2 partitions)")
    private String roundTasks = SparkBenchSettings.defaults().roundTasks();
    @Mixin
    private Cli.HelpOption help;

    SparkComparison(SparkBench bench) {
        this.bench = bench;
    }

    @Override
    public Integer call() {
        return bench.run("spark", options, this::run);
    }

    private boolean run(ObjectNode report) {
        SparkBenchSettings s = options.settings();
        try {
            s = s.withPrecision(precision);
        } catch (IllegalArgumentException e) {
            // the settings' own check ("precision must be one of ..."), named as the option
            throw new ConfigException("--" + e.getMessage());
        }
        try {
            s = s.withRoundTasks(roundTasks);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--round-tasks must be auto, per-round or resident, found '" + roundTasks + "'");
        }
        if (tokens != null) {
            if (options.hasRounds()) {
                throw new ConfigException("give either --rounds or --tokens, not both");
            }
            if (tokens <= 0) {
                throw new ConfigException("--tokens must be positive, found " + tokens);
            }
            s = s.withRounds((int) Math.max(2, (tokens + s.tokensPerRound() - 1) / s.tokensPerRound()));
        }
        List<String> implementations = impls.stream().map(String::trim).toList();
        for (String i : implementations) {
            if (!IMPLS.contains(i)) {
                throw new ConfigException("--impl must list " + IMPLS + ", found '" + i + "'");
            }
        }
        report.set("settings", SparkBench.JSON.valueToTree(s));
        report.put("tokens_budget", s.tokensPerRound() * s.rounds());
        bench.out().printf(Locale.ROOT, "budget: %d rounds x %,d tokens = %,d tokens; H = %d, %d partitions"
                + " on local[%d]"
                + "%n", s.rounds(), s.tokensPerRound(), s.tokensPerRound() * s.rounds(), s.localSteps(),
                s.partitions(), s.partitions());
        ArrayNode records = report.putArray("records");
        for (String impl : implementations) {
            records.add(bench.child(impl, impl, s));
        }
        JsonNode ours = null;
        for (JsonNode r : records) {
            if (r.get("implementation").asText().equals("ours") && r.get("status").asText().equals("ok")) {
                ours = r;
            }
        }
        for (JsonNode r : records) {
            if (ours != null && r != ours && r.get("status").asText().equals("ok")) {
                ((ObjectNode) r).put("ratio_ours_over_this", ours.get("tokens_per_s").asDouble()
                        / r.get("tokens_per_s").asDouble());
                ((ObjectNode) r).put("cpu_ratio_ours_over_this", ours.get("tokens_per_cpu_s").asDouble()
                        / r.get("tokens_per_cpu_s").asDouble());
                if (!r.get("valid_bpc").isNull() && !ours.get("valid_bpc").isNull()) {
                    ((ObjectNode) r).put("valid_bpc_this_minus_ours", r.get("valid_bpc").asDouble()
                            - ours.get("valid_bpc").asDouble());
                }
            }
        }
        ObjectNode ran = report.putObject("precision");
        for (JsonNode r : records) {
            // what each side ran (a failed run: what it was to run)
            ran.put(r.get("implementation").asText(), r.path("precision").asText(
                    r.get("implementation").asText().equals("ours") ? s.precision() : "float32"));
            String note = fallback(r);
            if (note != null) {
                report.put("precision_fallback", note);
            }
        }
        bench.out().print(table(records, report.get("cpu")));
        return SparkBench.allOk(records);
    }

    /** For a finished run of ours that did not run the precision its settings asked for, the line saying so. */
    static String fallback(JsonNode r) {
        String asked = r.path("settings").path("precision").asText();
        if (!r.get("implementation").asText().equals("ours") || !r.get("status").asText().equals("ok")
                || asked.equals(r.get("precision").asText())) {
            return null;
        }
        return String.format(Locale.ROOT, "ours: --precision %s ran %s: oneDNN's ISA here is %s (no bf16 units)",
                asked, r.get("precision").asText(), r.path("onednn_isa").asText());
    }

    /**
     * The CPU line of the report's {@code cpu} ({@link CpuInfo}), then one row per run with the precision it ran in,
     * and a line for a bf16 run that ran float32.
     */
    static String table(ArrayNode records, JsonNode cpu) {
        StringBuilder b = new StringBuilder();
        String fmt = "%-6s %-9s %7s %8s %10s %9s %10s %9s %10s %9s %9s %10s %7s%n";
        b.append(String.format(Locale.ROOT, "%n%s%n", CpuInfo.line(cpu)));
        b.append(String.format(Locale.ROOT, fmt, "impl", "precision", "rounds", "tokens", "tokens/s", "ours/this",
                "tok/CPU-s", "ours/this", "s/round", "outside%", "max rnd%", "valid bpc", "RSS MB"));
        for (JsonNode r : records) {
            if (!r.get("status").asText().equals("ok")) {
                b.append(String.format(Locale.ROOT, "%-6s %s: %s%n", r.get("implementation").asText(),
                        r.get("status").asText(), r.path("note").asText()));
                continue;
            }
            b.append(String.format(Locale.ROOT, fmt, r.get("implementation").asText(), r.get("precision").asText(),
                    r.get("rounds").size(),
                    r.get("tokens").asLong(), String.format(Locale.ROOT, "%.0f", r.get("tokens_per_s").asDouble()),
                    r.has("ratio_ours_over_this") ? String.format(Locale.ROOT, "%.2f",
                            r.get("ratio_ours_over_this").asDouble()) : "",
                    String.format(Locale.ROOT, "%.0f", r.get("tokens_per_cpu_s").asDouble()),
                    r.has("cpu_ratio_ours_over_this") ? String.format(Locale.ROOT, "%.2f",
                            r.get("cpu_ratio_ours_over_this").asDouble()) : "",
                    String.format(Locale.ROOT, "%.2f", r.get("seconds_per_round").asDouble()),
                    String.format(Locale.ROOT, "%.1f", 100 * r.get("outside_share").asDouble()),
                    String.format(Locale.ROOT, "%.1f", 100 * r.get("outside_share_max_round").asDouble()),
                    r.get("valid_bpc").isNull() ? "n/a" : String.format(Locale.ROOT, "%.4f",
                            r.get("valid_bpc").asDouble()),
                    String.format(Locale.ROOT, "%.0f", r.get("peak_rss_mb").asDouble())));
        }
        for (JsonNode r : records) {
            String note = fallback(r);
            if (note != null) {
                b.append(note).append('\n');
            }
        }
        b.append("rates and shares over rounds 2..; tok/CPU-s = tokens per CPU second of the whole process (robust to"
                + " other load on the machine); outside% = (round wall time - longest task's local training) / round"
                + " wall time\n");
        return b.toString();
    }
}
