package io.sparkrnn.driver.checkpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * When to save and which checkpoints to keep. The run also saves once at its end, whatever the policy says.
 *
 * <p>{@link #shouldSave} is stateful only in its clock: the time-based trigger measures from the last time it
 * answered true (or from the first call), so the caller saves whenever it is told to.
 */
public final class CheckpointPolicy {
    private final int everyRounds;
    private final double everyMinutes;
    private final int keepLast;
    private final int keepEvery;
    private Instant last;

    /**
     * @param everyRounds  save after every K-th round (round numbers counted from 1); 0 for no round trigger
     * @param everyMinutes save when this many minutes passed since the last save; 0 for no time trigger
     * @param keepLast     the newest N checkpoints are kept (&gt;= 1)
     * @param keepEvery    checkpoints whose round is a multiple of M are kept as well; 0 for none
     */
    public CheckpointPolicy(int everyRounds, double everyMinutes, int keepLast, int keepEvery) {
        if (everyRounds < 0) {
            throw new IllegalArgumentException("everyRounds must be >= 0 (0 for none), found " + everyRounds);
        }
        if (!(everyMinutes >= 0) || Double.isInfinite(everyMinutes)) {
            throw new IllegalArgumentException("everyMinutes must be finite and >= 0 (0 for none), found "
                    + everyMinutes);
        }
        if (keepLast < 1) {
            throw new IllegalArgumentException("keepLast must be >= 1, found " + keepLast);
        }
        if (keepEvery < 0) {
            throw new IllegalArgumentException("keepEvery must be >= 0 (0 for none), found " + keepEvery);
        }
        this.everyRounds = everyRounds;
        this.everyMinutes = everyMinutes;
        this.keepLast = keepLast;
        this.keepEvery = keepEvery;
    }

    /** Whether to save after round {@code round} (completed rounds, from 1) at time {@code now}. */
    public synchronized boolean shouldSave(long round, Instant now) {
        if (last == null) {
            last = now;
        }
        boolean byRound = everyRounds > 0 && round % everyRounds == 0;
        boolean byTime = everyMinutes > 0
                && Duration.between(last, now).toMillis() >= (long) (everyMinutes * 60_000);
        if (byRound || byTime) {
            last = now;
            return true;
        }
        return false;
    }

    /**
     * The rounds to keep out of {@code existing}: the newest {@code keepLast}, the multiples of
     * {@code keepEvery}, and {@code best} (the best by validation, null when none) which is never deleted.
     */
    public Set<Long> keep(Collection<Long> existing, Long best) {
        List<Long> sorted = new TreeSet<>(existing).descendingSet().stream().toList();
        Set<Long> keep = new TreeSet<>(sorted.subList(0, Math.min(keepLast, sorted.size())));
        for (long r : sorted) {
            if (keepEvery > 0 && r % keepEvery == 0) {
                keep.add(r);
            }
        }
        if (best != null && existing.contains(best)) {
            keep.add(best);
        }
        return keep;
    }

    public int everyRounds() {
        return everyRounds;
    }

    public double everyMinutes() {
        return everyMinutes;
    }

    public int keepLast() {
        return keepLast;
    }

    public int keepEvery() {
        return keepEvery;
    }

    @Override
    public String toString() {
        return "CheckpointPolicy[everyRounds=" + everyRounds + ", everyMinutes=" + everyMinutes + ", keepLast="
                + keepLast + ", keepEvery=" + keepEvery + "]";
    }
}
