package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.round.RoundMetrics;
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
     * bits per char (NaN when not evaluated) and (ours) where the time outside local training went.
     */
    record Round(long tokens, double secondsTotal, double secondsLocal, double cpuSeconds, double gcSeconds,
            double trainLoss, double validBpc, RoundMetrics.Phases phases, RoundTasks.Times tasks) {
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
            if (r.phases() != RoundMetrics.Phases.NONE) {
                ObjectNode b = o.putObject("outside");
                putOutside(b, r.phases(), r.secondsLocal(), r.secondsTotal());
                putTasks(b, r.tasks());
            }
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
        List<Round> steady = rounds.subList(from, rounds.size());
        if (steady.stream().noneMatch(r -> r.phases() == RoundMetrics.Phases.NONE)) {
            ObjectNode b = out.putObject("outside_per_round");
            putOutside(b, mean(steady), mean(steady, Round::secondsLocal), mean(steady, Round::secondsTotal));
            putTasks(b, new RoundTasks.Times(mean(steady, r -> r.tasks().launch()),
                    mean(steady, r -> r.tasks().deserialize()), mean(steady, r -> r.tasks().serialize()),
                    mean(steady, r -> r.tasks().fetch())));
        }
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

    /**
     * The round's time outside local training by step, in seconds ({@link RoundMetrics.Phases}): the driver's
     * broadcast, the tasks' load and extract, Spark's share of the job (scheduling, launch, (de)serialising and
     * sending tasks and results), the driver's sum, apply and release, and what is left (the driver's other work
     * between the steps).
     */
    private static void putOutside(ObjectNode o, RoundMetrics.Phases p, double local, double total) {
        o.put("broadcast", p.broadcast());
        o.put("task_load", p.taskLoad());
        o.put("spark", p.spark(local));
        o.put("task_extract", p.taskExtract());
        o.put("sum", p.sum());
        o.put("apply", p.apply());
        o.put("release", p.release());
        o.put("other", total - p.broadcast() - p.job() - p.sum() - p.apply() - p.release());
        o.put("total", Math.max(0, total - local));
    }

    /** Spark's share of the job split by Spark's own task timing ({@link RoundTasks}, millisecond resolution). */
    private static void putTasks(ObjectNode o, RoundTasks.Times t) {
        ObjectNode s = o.putObject("spark_by_task_metrics");
        putNumber(s, "launch", t.launch());
        putNumber(s, "task_deserialize", t.deserialize());
        putNumber(s, "result_serialize", t.serialize());
        putNumber(s, "result_fetch", t.fetch());
    }

    private static RoundMetrics.Phases mean(List<Round> rs) {
        return new RoundMetrics.Phases(mean(rs, r -> r.phases().broadcast()), mean(rs, r -> r.phases().job()),
                mean(rs, r -> r.phases().taskLoad()), mean(rs, r -> r.phases().taskExtract()),
                mean(rs, r -> r.phases().sum()), mean(rs, r -> r.phases().apply()),
                mean(rs, r -> r.phases().release()));
    }

    private static double mean(List<Round> rs, java.util.function.ToDoubleFunction<Round> f) {
        return rs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }
}
