package io.sparkrnn.bench;

import io.sparkrnn.driver.round.RoundTaskMode;
import io.sparkrnn.engine.tensor.Precision;
import java.util.Arrays;
import java.util.List;

/**
 * The settings of one distributed training run of {@code bench spark} / {@code bench scaling}: a
 * character language model on a text file, trained on {@code local[partitions]} with one task per partition.
 *
 * @param text               UTF-8 training text; the last {@code validationFraction} is held out
 * @param validationFraction held-out tail of the text
 * @param embedding          embedding size E
 * @param hidden             LSTM hidden size H
 * @param batch              stream lanes (sequences) per batch on each partition
 * @param k                  truncated BPTT length, k1 = k2 (also the steps per batch)
 * @param lr                 inner Adam learning rate
 * @param clip               inner gradient clip threshold (ours: global L2 norm; DL4J: L2 per layer)
 * @param localSteps         averaging period: local steps (minibatches) per partition per round
 * @param rounds             rounds to train
 * @param partitions         data partitions = tasks per round = local cores
 * @param innerState         inner optimizer state between rounds for ours: reset, keep or average (DL4J always
 *                           averages its updater state, {@code saveUpdater(true)})
 * @param precision          ours' matrix products ({@code train.precision}): float32, or bf16 where oneDNN has bf16
 *                           units (float32 otherwise); DL4J always trains in float32
 * @param roundTasks         how ours' round tasks live ({@code train.round-tasks}): auto, per-round or resident
 * @param outer              ours' outer step: plain or nesterov
 * @param outerLr            outer learning rate
 * @param outerMomentum      outer Nesterov momentum (0 with plain)
 * @param evalEvery          validate every this many rounds (and after the last); evaluation is not timed
 * @param evalLanes          lanes of the validation stream
 * @param seed               seed of the initial weights
 */
public record SparkBenchSettings(String text, double validationFraction, int embedding, int hidden, int batch, int k,
        double lr, double clip, int localSteps, int rounds, int partitions, String innerState, String precision,
        String roundTasks, String outer, double outerLr, double outerMomentum, int evalEvery, int evalLanes, long seed) {

    public static final List<String> INNER_STATES = List.of("reset", "keep", "average");
    /** The values of {@code precision}: {@link Precision}'s keys, as {@code train.precision} takes them. */
    public static final List<String> PRECISIONS = Arrays.stream(Precision.values()).map(Precision::key).toList();

    public SparkBenchSettings {
        positive("embedding", embedding);
        positive("hidden", hidden);
        positive("batch", batch);
        positive("k", k);
        positive("local-steps", localSteps);
        positive("rounds", rounds);
        positive("partitions", partitions);
        positive("eval-every", evalEvery);
        positive("eval-lanes", evalLanes);
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), found " + validationFraction);
        }
        if (!(lr > 0) || !(clip > 0)) {
            throw new IllegalArgumentException("lr and clip must be positive, found lr " + lr + ", clip " + clip);
        }
        if (!INNER_STATES.contains(innerState)) {
            throw new IllegalArgumentException("inner-state must be one of " + INNER_STATES + ", found '" + innerState
                    + "'");
        }
        if (!PRECISIONS.contains(precision)) {
            throw new IllegalArgumentException("precision must be one of " + PRECISIONS + ", found '" + precision
                    + "'");
        }
        RoundTaskMode.parse(roundTasks); // its error names the values
        if (!outer.equals("plain") && !outer.equals("nesterov")) {
            throw new IllegalArgumentException("outer must be plain or nesterov, found '" + outer + "'");
        }
    }

    /**
     * The default benchmark: the Moby Dick sample with a 90/10 split, embedding 32 (conf/char-lm.conf), LSTM 256,
     * batch 32 per partition, k1 = k2 = 50, Adam 3e-3, clip 1.0, H = 25 (the default train.local-steps),
     * 8 rounds, 2 partitions, inner state averaged (as DL4J's saveUpdater), float32, round tasks as the product's
     * default (auto: resident on 2 partitions), plain averaging.
     */
    public static SparkBenchSettings defaults() {
        return new SparkBenchSettings("data/samples/moby-dick/moby-dick.txt", 0.1, 32, 256, 32, 50, 3e-3, 1.0, 25, 8,
                2, "average", "float32", "auto", "plain", 1.0, 0.0, 1000, 16, 1234);
    }

    /** Tokens trained per round over all partitions. */
    public long tokensPerRound() {
        return (long) partitions * localSteps * batch * k;
    }

    public SparkBenchSettings withPartitions(int p) {
        return new SparkBenchSettings(text, validationFraction, embedding, hidden, batch, k, lr, clip, localSteps,
                rounds, p, innerState, precision, roundTasks, outer, outerLr, outerMomentum, evalEvery, evalLanes, seed);
    }

    public SparkBenchSettings withRounds(int r) {
        return new SparkBenchSettings(text, validationFraction, embedding, hidden, batch, k, lr, clip, localSteps,
                r, partitions, innerState, precision, roundTasks, outer, outerLr, outerMomentum, evalEvery, evalLanes, seed);
    }

    public SparkBenchSettings withLocalSteps(int h) {
        return new SparkBenchSettings(text, validationFraction, embedding, hidden, batch, k, lr, clip, h, rounds,
                partitions, innerState, precision, roundTasks, outer, outerLr, outerMomentum, evalEvery, evalLanes, seed);
    }

    public SparkBenchSettings withEvalEvery(int e) {
        return new SparkBenchSettings(text, validationFraction, embedding, hidden, batch, k, lr, clip, localSteps,
                rounds, partitions, innerState, precision, roundTasks, outer, outerLr, outerMomentum, e, evalLanes, seed);
    }

    public SparkBenchSettings withPrecision(String p) {
        return new SparkBenchSettings(text, validationFraction, embedding, hidden, batch, k, lr, clip, localSteps,
                rounds, partitions, innerState, p, roundTasks, outer, outerLr, outerMomentum, evalEvery, evalLanes, seed);
    }

    public SparkBenchSettings withRoundTasks(String t) {
        return new SparkBenchSettings(text, validationFraction, embedding, hidden, batch, k, lr, clip, localSteps,
                rounds, partitions, innerState, precision, t, outer, outerLr, outerMomentum, evalEvery, evalLanes, seed);
    }

    /** Ours' precision as the engine takes it. */
    public Precision enginePrecision() {
        return Precision.parse(precision);
    }

    public SparkBenchSettings withOuter(String o, double olr, double om) {
        return new SparkBenchSettings(text, validationFraction, embedding, hidden, batch, k, lr, clip, localSteps,
                rounds, partitions, innerState, precision, roundTasks, o, olr, om, evalEvery, evalLanes, seed);
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, found " + v);
        }
    }
}
