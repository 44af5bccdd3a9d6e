package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The rounds of one distributed run and their summary. Round 1 builds the replicas (DL4J: the network) and
 * warms the JIT, so the rates and shares are given over rounds 2.. ("steady") and over all rounds.
 */
final class RunLog {
    /**
     * One round: tokens, wall seconds, seconds of the longest task's local training, CPU seconds of the whole
     * process (all threads: tasks, Spark, GC), seconds the JVM's collectors reported, train loss, validation
     * bits per char (NaN when not evaluated).
     */
    record Round(long tokens, double secondsTotal, double secondsLocal, double cpuSeconds, double gcSeconds,
            double trainLoss, double validBpc) {
        double outside() {
            return Math.max(0, secondsTotal - secondsLocal);
        }
    }

    private final List<Round> rounds = new ArrayList<>();

    void add(Round r) {
        rounds.add(r);
    }

    List<Round> rounds() {
        return rounds;
    }

    /** Writes per-round figures and the summary into {@code out}. */
    void write(ObjectNode out, ObjectMapper json) {
        ArrayNode a = out.putArray("rounds");
        long cumulative = 0;
        for (int i = 0; i < rounds.size(); i++) {
            Round r = rounds.get(i);
            cumulative += r.tokens();
            ObjectNode o = a.addObject();
            o.put("round", i + 1);
            o.put("tokens", r.tokens());
            o.put("tokens_cumulative", cumulative);
            o.put("seconds_total", r.secondsTotal());
            o.put("seconds_local", r.secondsLocal());
            o.put("cpu_seconds", r.cpuSeconds());
            o.put("gc_seconds", r.gcSeconds());
            o.put("outside_share", r.outside() / r.secondsTotal());
            putNumber(o, "train_loss", r.trainLoss());
            putNumber(o, "valid_bpc", r.validBpc());
        }
        int from = rounds.size() > 1 ? 1 : 0;
        out.put("tokens", cumulative);
        out.put("tokens_per_s_all", rate(0));
        out.put("tokens_per_s", rate(from));
        long steadyTokens = 0;
        double cpu = 0;
        for (Round r : rounds.subList(from, rounds.size())) {
            steadyTokens += r.tokens();
            cpu += r.cpuSeconds();
        }
        out.put("tokens_per_cpu_s", steadyTokens / cpu);
        double gc = 0;
        for (Round r : rounds.subList(from, rounds.size())) {
            gc += r.gcSeconds();
        }
        out.put("gc_share", gc / rounds.subList(from, rounds.size()).stream().mapToDouble(Round::secondsTotal).sum());
        double total = 0;
        double outside = 0;
        double maxShare = 0;
        for (Round r : rounds.subList(from, rounds.size())) {
            total += r.secondsTotal();
            outside += r.outside();
            maxShare = Math.max(maxShare, r.outside() / r.secondsTotal());
        }
        out.put("outside_share", outside / total);
        out.put("outside_share_max_round", maxShare);
        out.put("seconds_outside_per_round", outside / (rounds.size() - from));
        out.put("seconds_per_round", total / (rounds.size() - from));
        out.put("steady_from_round", from + 1);
        double last = Double.NaN;
        for (Round r : rounds) {
            if (!Double.isNaN(r.validBpc())) {
                last = r.validBpc();
            }
        }
        putNumber(out, "valid_bpc", last);
    }

    /** CPU seconds used by this process so far (all threads), or NaN where the JVM does not tell. */
    static double processCpuSeconds() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /** Collection time reported by all of this JVM's garbage collectors so far, in seconds. */
    static double gcSeconds() {
        long ms = 0;
        for (java.lang.management.GarbageCollectorMXBean b
                : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, b.getCollectionTime());
        }
        return ms / 1000.0;
    }

    private double rate(int from) {
        long tokens = 0;
        double seconds = 0;
        for (Round r : rounds.subList(from, rounds.size())) {
            tokens += r.tokens();
            seconds += r.secondsTotal();
        }
        return tokens / seconds;
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }
}
