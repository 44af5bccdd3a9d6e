package io.sparkrnn.jobs;

import io.sparkrnn.driver.checkpoint.RunInfo;
import io.sparkrnn.jobs.config.EarlyStoppingSection;
import java.util.Locale;

/**
 * The run's best validated round and the early-stopping decision ({@link EarlyStoppingSection}): each validation
 * either improves on the best by more than the minimum change (a new best round) or counts towards the patience.
 * The state is {@link RunInfo.Best}, saved with every checkpoint, so that a resumed run decides as the uninterrupted
 * one would.
 */
final class EarlyStopping {
    private final EarlyStoppingSection cfg;
    private RunInfo.Best best;

    /** Tracking from {@code restored} (a checkpoint's best round; null: nothing validated yet). */
    EarlyStopping(EarlyStoppingSection cfg, RunInfo.Best restored) {
        if (restored != null && !restored.metric().equals(cfg.metric())) {
            throw new IllegalArgumentException("the checkpoint's best round is by " + restored.metric() + ", the run "
                    + "watches " + cfg.metric());
        }
        this.cfg = cfg;
        this.best = restored;
    }

    /** The figure watched, as the validation names it (without {@code valid_}). */
    String metric() {
        return cfg.metric();
    }

    /** Records round {@code round}'s validation {@code value}; true when it is the new best round. */
    boolean observe(long round, double value) {
        if (cfg.improves(value, best == null ? null : best.value())) {
            best = new RunInfo.Best(cfg.metric(), round, value, 0);
            return true;
        }
        if (best != null) {
            best = new RunInfo.Best(best.metric(), best.round(), best.value(), best.sinceBest() + 1);
        }
        return false;
    }

    /** Whether patience ran out: that many validations in a row since the best one did not improve on it. */
    boolean patienceRanOut() {
        return cfg.patience() > 0 && best != null && best.sinceBest() >= cfg.patience();
    }

    /** The best round so far, or null when no validation gave a number. */
    RunInfo.Best best() {
        return best;
    }

    /** The console's line when patience ran out after round {@code round}. */
    String stopLine(long round, long total) {
        return String.format(Locale.ROOT, "early stopping after round %d of %d: %d validation(s) without an "
                + "improvement of %s by more than %s on round %d's %.4f (train.early-stopping.patience = %d)", round,
                total, best.sinceBest(), cfg.metric(), cfg.minDelta(), best.round(), best.value(), cfg.patience());
    }
}
