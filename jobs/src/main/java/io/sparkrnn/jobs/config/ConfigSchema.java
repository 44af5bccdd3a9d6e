package io.sparkrnn.jobs.config;

import static io.sparkrnn.jobs.config.ConfigKey.bool;
import static io.sparkrnn.jobs.config.ConfigKey.choice;
import static io.sparkrnn.jobs.config.ConfigKey.integer;
import static io.sparkrnn.jobs.config.ConfigKey.number;
import static io.sparkrnn.jobs.config.ConfigKey.string;

import io.sparkrnn.driver.corpus.pairs.Seq2SeqData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every config key a job reads, with its default and range; docs/config.md lists them. */
public final class ConfigSchema {
    private ConfigSchema() {
    }

    /** The values of key {@code task}, one per task of the command line. */
    public static final List<String> TASKS = List.of("lm", "tag", "classify", "forecast", "seq2seq");

    /** The values of {@code data.format} each task reads, its usual one ({@code auto}) first. */
    private static final Map<String, List<String>> FORMATS = Map.of("lm", List.of("text", "parquet"),
            "tag", List.of("brown", "conll"), "classify", List.of("tsv", "folders"), "forecast", List.of("csv"),
            "seq2seq", Seq2SeqData.FORMATS);

    /** The values of {@code data.format} task {@code task} reads, the one {@code auto} stands for first. */
    public static List<String> formats(String task) {
        List<String> f = FORMATS.get(task);
        if (f == null) {
            throw new IllegalArgumentException("no task '" + task + "' in the schema");
        }
        return f;
    }

    public static final List<ConfigKey> KEYS = List.of(
            choice("task", "lm", TASKS, "what to train: lm = language model on plain text, tag = sequence "
                    + "tagger, classify = text classifier, forecast = time-series forecaster, seq2seq = "
                    + "encoder-decoder translation (grapheme-to-phoneme)"),
            string("data.train", "data/samples/moby-dick/moby-dick.txt",
                    "training corpus: a file, a folder or a glob; a local path or a URI (hdfs://...)"),
            choice("data.format", "auto", List.of("auto", "text", "brown", "conll", "tsv", "folders", "csv", "cmudict",
                    "tsv-pairs", "parquet"), "corpus format; auto = the task's usual one (lm text, tag brown, classify "
                    + "tsv, forecast csv, seq2seq cmudict); lm also reads parquet (data.text-column), seq2seq tsv "
                    + "(source<TAB>target lines), tsv-pairs (two columns of TAB-separated lines: data.source-column, "
                    + "data.target-column) and parquet"),
            string("data.text-column", "text", "lm, parquet: the string column of the text (one row = one line)")
                    .only("lm"),
            string("data.validation", "", "validation corpus in the same format; empty = split off data.train"),
            number("data.validation-fraction", 0.1, 0.0, 0.5, "held out for validation: lm the last fraction of "
                    + "the text; tag and classify a seeded random share of the sentences / texts; forecast the rows "
                    + "after the training part (time order)"),
            number("data.test-fraction", 0.0, 0.0, 0.5, "forecast: the last rows (time order) held out as the test "
                    + "part, after validation; seq2seq: a seeded random share of the pairs (by source, so all "
                    + "pronunciations of a word land in one part); tag and classify: a seeded random share of the "
                    + "sentences / texts beside the validation part, which stays as it is without one (evaluate "
                    + "--part test scores it; training reports validation only)")
                    .only("forecast", "seq2seq", "tag", "classify"),
            bool("data.alternates", false, "seq2seq, cmudict: keep WORD(n) alternate pronunciations as extra pairs "
                    + "(else skipped)").only("seq2seq"),
            choice("data.source-tokens", "char", List.of("char", "word", "13a", "bpe"), "seq2seq, tsv, tsv-pairs "
                    + "and parquet: source token unit; word = whitespace-separated, 13a = words with punctuation split "
                    + "off as sacreBLEU's 13a tokenizer does, bpe = 13a words cut into byte-pair-encoding subword "
                    + "pieces (data.bpe-merges; cmudict: characters)").only("seq2seq"),
            choice("data.target-tokens", "word", List.of("char", "word", "13a", "bpe"), "seq2seq, tsv, tsv-pairs "
                    + "and parquet: target token unit, as data.source-tokens (cmudict: phones, whitespace-separated); "
                    + "word, 13a or bpe targets are also scored by sacreBLEU's BLEU and chrF (bpe: on the pieces "
                    + "joined back into words)").only("seq2seq"),
            integer("data.bpe-merges", 8000, 1, null, "seq2seq a bpe side, lm, tag and classify data.tokens = bpe: "
                    + "byte-pair-encoding merges learned on the training part's words (seq2seq: per side; fewer "
                    + "when no pair of symbols occurs twice); stored with the model, a warm start keeps the "
                    + "parent's").only("lm", "tag", "classify", "seq2seq"),
            string("data.source-column", "source", "seq2seq: column of the source text; parquet its name, "
                    + "tsv-pairs its number from 0").only("seq2seq"),
            string("data.target-column", "target", "seq2seq: column of the target text; parquet its name, "
                    + "tsv-pairs its number from 0").only("seq2seq"),
            integer("data.max-source-length", 64, 1, null, "seq2seq: longest source in tokens; longer pairs are "
                    + "skipped and counted (training, evaluation; predict writes an empty prediction)").only("seq2seq"),
            choice("data.tokens", "char", List.of("char", "word", "bpe"), "token unit: lm and classify char or "
                    + "word (whitespace-separated; an lm ends every line with <eos>), or bpe = words cut into "
                    + "byte-pair-encoding subword pieces (data.bpe-merges); tag: bpe cuts each word into pieces and "
                    + "predicts its tag at the first, else words").only("lm", "tag", "classify"),
            bool("data.lowercase", false, "tag, classify, seq2seq (not cmudict): lower-case words before the "
                    + "vocabulary (seq2seq: both sides, and the references scored)").only("tag", "classify", "seq2seq"),
            integer("data.max-length", 200, 1, null, "classify: tokens kept from the start of each text (also at "
                    + "evaluate and predict); needs train.k1 >= it").only("classify"),
            bool("data.strip-tag-suffixes", true, "tag, brown: reduce Brown tags to base tags (-tl, -hl, -nc, fw-, "
                    + "+, * removed)").only("tag"),
            integer("data.conll-token-column", 0, 0, null, "tag, conll: column of the token (0-based)").only("tag"),
            integer("data.conll-tag-column", 1, 0, null, "tag, conll: column of the tag (0-based)").only("tag"),
            string("data.folders", "", "classify, folders: folder:label pairs, comma-separated (e.g. "
                    + "spam-1:spam,ham-1:ham); empty = every folder under data.train is a label").only("classify"),
            number("data.max-bad-fraction", 0.001, 0.0, 1.0, "share of unparsable records tolerated (skipped and "
                    + "reported) before the job stops with exit code 3; forecast tolerates none (a series cannot skip "
                    + "a row)"),
            integer("vocab.min-count", 1, 1, null, "tag, classify, seq2seq, lm word: tokens seen fewer times in "
                    + "the training part map to <unk>").only("lm", "tag", "classify", "seq2seq"),
            integer("vocab.max-size", 50000, 8, null, "tag, classify, seq2seq, lm word: most frequent tokens kept "
                    + "(specials included; seq2seq: per side)").only("lm", "tag", "classify", "seq2seq"),
            choice("vocab.on-new-tokens", "unk", List.of("unk", "extend"), "train --warm-start: tokens of the new "
                    + "data that a vocabulary of the parent lacks (lm, tag: words and tags, classify: tokens and "
                    + "labels, seq2seq: source and target) map to <unk> (lm characters are skipped; new classify "
                    + "labels are refused) or are appended with fresh rows, the old ids unchanged")
                    .only("lm", "tag", "classify", "seq2seq"),
            string("forecast.time-columns", "year,month,date_of_month", "forecast: CSV columns giving the time "
                    + "order, comma-separated").only("forecast"),
            string("forecast.features", "births,day_of_week", "forecast: CSV columns fed to the model at every step")
                    .only("forecast"),
            string("forecast.targets", "births", "forecast: CSV columns predicted (each also a feature)")
                    .only("forecast"),
            integer("forecast.window", 28, 1, null, "forecast: W, steps per input window").only("forecast"),
            integer("forecast.horizon", 1, 1, null, "forecast: H, steps predicted after each window").only("forecast"),
            integer("forecast.season", 7, 1, null, "forecast: season length of the seasonal-naive baseline (7 = "
                    + "same weekday a week earlier for daily data); <= forecast.window").only("forecast"),
            string("forecast.calendar", "", "forecast: calendar covariates of the predicted day, comma-separated: "
                    + "day-of-week (7 indicators), day-of-year (sin and cos, 2 harmonics), month (12 indicators), "
                    + "us-holidays (one indicator per US federal holiday, observed date, and the days before and "
                    + "after); need a date in forecast.time-columns (year,month,day or one ISO date); empty = none")
                    .only("forecast"),
            bool("forecast.residual", false, "forecast: learn the residual over the seasonal-naive forecast (added "
                    + "back before every metric and prediction) instead of the level").only("forecast"),
            choice("forecast.normalizer", "keep", List.of("keep", "refit"), "forecast, train --warm-start: "
                    + "standardise the new data with the parent's normaliser, or refit it on the new training rows "
                    + "(the model then sees differently scaled inputs than it was trained on)").only("forecast"),
            integer("forecast.validation-rows", 0, 0, null, "forecast: rows of the validation part (before the "
                    + "test part); 0 = data.validation-fraction").only("forecast"),
            integer("forecast.test-rows", 0, 0, null, "forecast: the last rows held out as the test part (e.g. "
                    + "366 = the last year of daily data ending in a leap year); 0 = data.test-fraction")
                    .only("forecast"),
            choice("model.cell", "lstm", List.of("lstm", "gru", "rnn"), "recurrent cell"),
            integer("model.embedding", 32, 1, null, "embedding size").only("lm", "tag", "classify", "seq2seq"),
            integer("model.hidden", 256, 1, null, "hidden size per layer"),
            integer("model.layers", 1, 1, 16, "stacked recurrent layers"),
            number("model.dropout", 0.0, 0.0, 0.95, "dropout between recurrent layers"),
            number("model.io-dropout", 0.0, 0.0, 0.95, "dropout on the recurrent stack's input (embeddings or "
                    + "features) and output (before the head) while training; seq2seq: on the input of the encoder's "
                    + "and the decoder's first layer (embeddings; with input feeding also the fed attentional vector) "
                    + "and on the attentional vector before the output layer")
                    .only("lm", "tag", "classify", "forecast", "seq2seq"),
            bool("model.bidirectional", false, "tag, classify, forecast: every layer also runs backwards in time; "
                    + "seq2seq: the encoder's"),
            choice("model.attention", "general", List.of("none", "dot", "general"), "seq2seq: Luong attention "
                    + "score h.e (dot, needs decoder hidden = encoder output width) or h.W e (general), or none")
                    .only("seq2seq"),
            bool("model.input-feeding", true, "seq2seq: feed the attentional vector of step t-1 into the decoder "
                    + "(needs attention)").only("seq2seq"),
            integer("model.decoder-hidden", 0, 0, null, "seq2seq: decoder hidden size; 0 = the encoder output "
                    + "width (model.hidden, doubled when bidirectional)").only("seq2seq"),
            integer("model.decoder-layers", 0, 0, 16, "seq2seq: decoder layers; 0 = model.layers").only("seq2seq"),
            bool("model.tie-embeddings", false, "seq2seq: the output layer's weight is the target embedding (one "
                    + "tensor, Press and Wolf 2017); needs the decoder hidden size equal to model.embedding")
                    .only("seq2seq"),
            choice("model.pooling", "last", List.of("last", "mean"), "classify, forecast: one output from the last "
                    + "valid step or the mean over valid steps").only("classify", "forecast"),
            integer("train.batch", 32, 1, null, "sequences (stream lanes) per batch on each partition"),
            integer("train.batch-tokens", 0, 0, null, "seq2seq: batches of up to this many padded tokens (rows x "
                    + "(longest source + longest target + 1)) instead of train.batch pairs: chunks of 64 x train.batch "
                    + "pairs, sorted by length, are cut greedily; a longer pair makes a batch alone; the loss stays "
                    + "the mean over the batch's target tokens; 0 = batches of train.batch pairs").only("seq2seq"),
            integer("train.k1", 64, 1, null, "truncated BPTT forward length: steps per window"),
            integer("train.k2", 64, 1, null, "truncated BPTT backward length (<= k1)"),
            choice("train.optimizer", "adam", List.of("sgd", "momentum", "nesterov", "adam", "adamw"),
                    "inner optimizer on each partition"),
            number("train.lr", 3e-3, 0.0, null, "inner learning rate"),
            choice("train.lr-schedule", "constant", List.of("constant", "cosine", "linear"), "inner learning rate "
                    + "over the inner steps r * local-steps + j of the whole run: train.lr throughout, or decayed "
                    + "from train.lr to train.min-lr at the last round (cosine or linear); each after "
                    + "train.warmup-steps of linear warm-up"),
            integer("train.warmup-steps", 0, 0, null, "inner steps of linear warm-up to train.lr (<= rounds * "
                    + "local-steps)"),
            number("train.min-lr", 0.0, 0.0, null, "cosine, linear: learning rate at the last round (<= train.lr)"),
            number("train.weight-decay", 0.0, 0.0, null, "weight decay (L2; decoupled for adamw)"),
            number("train.clip", 1.0, 0.0, null, "inner gradient clip by global L2 norm, 0 = off"),
            number("train.label-smoothing", 0.0, 0.0, 0.99, "seq2seq: label smoothing eps of the training loss, "
                    + "(1 - eps) NLL + eps * mean over the target words of -log p (Szegedy et al. 2016); the "
                    + "training loss reported is this objective (validation scores decoded outputs); 0 = off")
                    .only("seq2seq"),
            integer("train.seed", 1234, 0, null, "seed of initialisation and dropout"),
            integer("train.partitions", 2, 1, null, "data partitions = tasks per round"),
            integer("train.engine-threads", 1, 1, 64, "threads of each task's training step (lm, tag, classify, "
                    + "forecast; seq2seq: 1): each batch's rows are cut into this many blocks that run concurrently, "
                    + "their gradients summed in block order (the 1-thread step up to rounding); give each a core "
                    + "(spark.task.cpus); BLAS then gets task.cpus / engine-threads threads"),
            choice("train.precision", "float32", List.of("float32", "bf16"), "arithmetic of the training step's "
                    + "matrix products: float32, or bf16 (bf16 operands, float32 accumulation, on AVX512-BF16 or AMX "
                    + "units through oneDNN; weights, optimizer state, cell math, losses and gradient sums stay "
                    + "float32; checkpoints and exports are float32); a CPU without bf16 units logs one line and "
                    + "runs float32"),
            integer("train.local-steps", 25, 1, null, "H: local steps per partition per round"),
            integer("train.rounds", 20, 1, null, "rounds to train"),
            number("train.max-minutes", 0.0, 0.0, null, "wall-clock budget of this run's round loop: training "
                    + "stops after the round in which it is reached (then validates, checkpoints and writes the "
                    + "model, eval.json and the report as at the end of train.rounds); a resumed run gets a new "
                    + "budget; 0 = no limit"),
            choice("train.outer", "plain", List.of("plain", "nesterov"),
                    "driver step on the averaged delta: plain (averaging) or nesterov (SlowMo/DiLoCo)"),
            number("train.outer-lr", 1.0, 0.0, null, "outer learning rate (1 = parameter averaging)"),
            number("train.outer-momentum", 0.0, 0.0, 0.99, "outer Nesterov momentum"),
            number("train.global-clip", 0.0, 0.0, null, "clip of the averaged delta by global L2 norm, 0 = off"),
            choice("train.inner-state", "reset", List.of("reset", "keep", "average"),
                    "inner optimizer state between rounds"),
            choice("train.round-tasks", "auto", List.of("auto", "per-round", "resident"), "how the round's tasks "
                    + "live: per-round, a Spark job each round (the parameters broadcast, the results collected); "
                    + "resident, one job's tasks serve round after round over a connection of their own to the "
                    + "driver (no job, broadcast or task launch per round; they make way when another job starts "
                    + "and a round whose task is lost runs again as a job), which needs executors that can open "
                    + "connections to the driver and a task slot per partition (else rounds run per job); auto, "
                    + "resident up to 2 partitions (where the results go to the driver anyway), per-round above"),
            integer("eval.every", 10, 1, null, "validate every this many rounds (and at the end)"),
            string("train.early-stopping.metric", "", "the validation figure that picks the best round and stops "
                    + "early; empty = the task's own: lm bits_per_char or bits_per_word, tag and classify accuracy, "
                    + "forecast mae, seq2seq its token error rate (per, cer or ter); also lm words perplexity, tag and "
                    + "classify macro_f1, forecast rmse and mae_vs_seasonal_naive, seq2seq its sequence error rate, "
                    + "bleu and (word targets) chrf. Losses and error rates are better lower, the others higher"),
            integer("train.early-stopping.patience", 0, 0, null, "stop after this many validations in a row that "
                    + "do not improve on the best by more than train.early-stopping.min-delta; 0 = never stop early"),
            number("train.early-stopping.min-delta", 0.0, 0.0, null, "the least change of the metric that counts "
                    + "as an improvement (a new best round), in its units"),
            choice("train.final-model", "best", List.of("best", "last"), "the model written at the end: the best "
                    + "validated round's (its checkpoint is kept whatever checkpoint.keep-*) or the last round's"),
            integer("decode.beam", 1, 1, 64, "seq2seq: beam size of the final evaluation and predict; 1 = greedy "
                    + "only (validation during training is always greedy)").only("seq2seq"),
            number("decode.alpha", 0.6, 0.0, 5.0, "seq2seq: length normalisation of beam scores, logP / ((5 + n) "
                    + "/ 6)^alpha (Wu et al. 2016); 0 = none").only("seq2seq"),
            number("decode.max-length-ratio", 3.0, 0.1, 100.0, "seq2seq: decoding stops after ceil(ratio * source "
                    + "length) tokens").only("seq2seq"),
            integer("decode.no-repeat-ngram", 0, 0, 16, "seq2seq: greedy and beam search never produce an n-gram "
                    + "of this many tokens twice in one output (as fairseq's and Hugging Face's "
                    + "no_repeat_ngram_size); 0 = off").only("seq2seq"),
            integer("checkpoint.every-rounds", 5, 0, null, "checkpoint after every this many rounds, 0 = off (the "
                    + "run also checkpoints every new best validated round and its last round)"),
            number("checkpoint.every-minutes", 0.0, 0.0, null, "checkpoint when this many minutes passed, 0 = off"),
            integer("checkpoint.keep-last", 2, 1, null, "newest checkpoints kept"),
            integer("checkpoint.keep-every", 0, 0, null, "also keep checkpoints of rounds that are multiples of this"),
            string("output.dir", "out/char-lm",
                    "where checkpoints/, the model, metrics.jsonl, eval.json and report.html go: a local "
                            + "folder or a URI (hdfs://namenode:8020/runs/x)"),
            bool("output.overwrite", false, "replace a previous run's model in output.dir (otherwise refused)"),
            string("spark.master", "local[*]", "Spark master; spark-submit's --master wins when set"));

    /** Keys by path, in declaration order. */
    public static Map<String, ConfigKey> byPath() {
        Map<String, ConfigKey> m = new LinkedHashMap<>();
        for (ConfigKey k : KEYS) {
            m.put(k.path(), k);
        }
        return m;
    }
}
