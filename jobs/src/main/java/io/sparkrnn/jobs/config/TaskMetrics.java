package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.corpus.pairs.Seq2SeqScores;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import java.util.List;

/**
 * The figures each task reports, which way each is better, and which of them the round loop's validation gives
 * (those early stopping and best-model selection can watch, {@link EarlyStoppingSection}).
 */
public final class TaskMetrics {
    /** Figures where lower is better: losses and error rates. */
    public static final List<String> LOWER_IS_BETTER = List.of("bits_per_char", "bits_per_word", "bits_per_piece",
            "perplexity", "loss", "mae", "rmse", "mae_vs_seasonal_naive", "per", "cer", "wer", "ter", "ser");
    /** Figures where higher is better: accuracies, F1, BLEU and chrF. */
    public static final List<String> HIGHER_IS_BETTER = List.of("accuracy", "macro_f1", "bleu", "chrf");

    private TaskMetrics() {
    }

    /** Whether lower is better for {@code figure} (one of {@link #LOWER_IS_BETTER} or {@link #HIGHER_IS_BETTER}). */
    public static boolean lowerIsBetter(String figure) {
        if (!LOWER_IS_BETTER.contains(figure) && !HIGHER_IS_BETTER.contains(figure)) {
            throw new IllegalArgumentException("no direction known for figure '" + figure + "'");
        }
        return LOWER_IS_BETTER.contains(figure);
    }

    /**
     * The figures of the task's evaluation of the held-out part (eval.json's {@code valid_*} numbers) that can
     * compare two models.
     */
    public static List<String> evaluated(String task, LmSection lm, DataSection data, Seq2SeqSection seq2seq) {
        if (task.equals("lm")) {
            return lm(lm);
        }
        return validated(task, lm, data, seq2seq);
    }

    /** What evaluating a language model reports: bits per character, word or piece (then per word), perplexity. */
    private static List<String> lm(LmSection lm) {
        return switch (lm.tokens()) {
            case CHARS -> List.of("bits_per_char", "perplexity");
            case BPE -> List.of("bits_per_piece", "bits_per_word", "perplexity");
            default -> List.of("bits_per_word", "perplexity");
        };
    }

    /**
     * The figures of the validation run every {@code eval.every} rounds (metrics.jsonl's {@code valid_*}
     * numbers), the task's own first: lm bits per token (words: and perplexity), tag and classify accuracy and
     * macro F1, forecast MAE, RMSE and MAE over the seasonal-naive MAE, seq2seq the token and sequence error rates
     * named after its targets, BLEU and, for word targets, chrF.
     */
    public static List<String> validated(String task, LmSection lm, DataSection data, Seq2SeqSection seq2seq) {
        return switch (task) {
            case "lm" -> lm.tokens() == TokenUnit.CHARS ? List.of("bits_per_char") : lm(lm);
            case "tag", "classify" -> List.of("accuracy", "macro_f1");
            case "forecast" -> List.of("mae", "rmse", "mae_vs_seasonal_naive");
            case "seq2seq" -> {
                Seq2SeqScores.Names names = Seq2SeqScores.Names.of(data.format(), seq2seq.targetTokens());
                yield names == Seq2SeqScores.Names.WORDS ? List.of(names.tokens, names.sequences, "bleu", "chrf")
                        : List.of(names.tokens, names.sequences, "bleu");
            }
            default -> throw new IllegalArgumentException("no task '" + task + "'");
        };
    }
}
