package io.sparkrnn.engine.seq2seq;

import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.param.FlatParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy and beam-search decoding of a {@link Seq2SeqModel}. Each source gets at most
 * {@code spec.maxTargetLength(sourceLength)} generated tokens (including {@code <eos>}); a hypothesis that
 * reaches the limit without {@code <eos>} is returned unfinished. Greedy decoding runs all sources as one
 * batch; beam search encodes all sources as one batch and then searches one source at a time, its
 * hypotheses forming the decoder's batch.
 */
public final class Seq2SeqDecoding {
    private Seq2SeqDecoding() {
    }

    /** The most probable token at every step, for each source; scores normalised with {@code alpha}. */
    public static List<Hypothesis> greedy(Seq2SeqModel model, FlatParams params, List<int[]> sources, double alpha) {
        Seq2SeqSpec spec = model.spec();
        Decoder.State dec = model.startDecoding(params, sources);
        int b = sources.size();
        int[] limit = new int[b];
        int maxLen = 0;
        for (int r = 0; r < b; r++) {
            limit[r] = spec.maxTargetLength(sources.get(r).length);
            maxLen = Math.max(maxLen, limit[r]);
        }
        List<List<Integer>> toks = new ArrayList<>();
        double[] logProb = new double[b];
        boolean[] done = new boolean[b];
        boolean[] finished = new boolean[b];
        int[] input = new int[b];
        Arrays.fill(input, spec.beginId());
        for (int r = 0; r < b; r++) {
            toks.add(new ArrayList<>());
        }
        for (int t = 0; t < maxLen; t++) {
            double[][] lp = logSoftmax(dec.logits(dec.step(input.clone(), t)));
            for (int r = 0; r < b; r++) {
                if (done[r]) {
                    continue;
                }
                int best = argmax(lp[r]);
                logProb[r] += lp[r][best];
                input[r] = best;
                if (best == spec.endId()) {
                    done[r] = true;
                    finished[r] = true;
                } else {
                    toks.get(r).add(best);
                    done[r] = toks.get(r).size() >= limit[r];
                }
            }
        }
        List<Hypothesis> out = new ArrayList<>();
        for (int r = 0; r < b; r++) {
            int[] y = toks.get(r).stream().mapToInt(Integer::intValue).toArray();
            int n = y.length + (finished[r] ? 1 : 0);
            out.add(new Hypothesis(y, finished[r], logProb[r], Hypothesis.normalise(logProb[r], n, alpha)));
        }
        return out;
    }

    /**
     * Beam search with {@code beamSize} hypotheses: at each step the live hypotheses are extended by every
     * token and the best {@code beamSize - finished} extensions by summed log-probability are kept; those
     * ending in {@code <eos>} are finished. The result is the finished (or length-limited) hypothesis with
     * the best normalised score. The greedy hypothesis is always among the candidates, so a wider beam never
     * returns a lower normalised score than greedy decoding; with beam 1 the search is greedy decoding.
     */
    public static List<Hypothesis> beam(Seq2SeqModel model, FlatParams params, List<int[]> sources, int beamSize,
            double alpha) {
        if (beamSize <= 0) {
            throw new IllegalArgumentException("beamSize must be positive, found " + beamSize);
        }
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite and >= 0, found " + alpha);
        }
        List<Hypothesis> greedy = greedy(model, params, sources, alpha);
        List<Hypothesis> out = new ArrayList<>();
        for (int r = 0; r < sources.size(); r++) {
            Decoder.State dec = model.startDecoding(params, List.of(sources.get(r)));
            Hypothesis best = search(model.spec(), dec, model.spec().maxTargetLength(sources.get(r).length), beamSize,
                    alpha);
            out.add(best.score() >= greedy.get(r).score() ? best : greedy.get(r));
        }
        return out;
    }

    private static Hypothesis search(Seq2SeqSpec spec, Decoder.State dec, int limit, int beamSize, double alpha) {
        List<int[]> live = new ArrayList<>();
        live.add(new int[0]);
        double[] liveLp = {0};
        List<Hypothesis> done = new ArrayList<>();
        int[] input = {spec.beginId()};
        for (int t = 0; t < limit && !live.isEmpty(); t++) {
            double[][] lp = logSoftmax(dec.logits(dec.step(input, t)));
            int v = lp[0].length;
            int slots = beamSize - done.size();
            // best `slots` extensions (row, token) by summed log-probability; ties keep the lower index
            Integer[] order = new Integer[live.size() * v];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            double[] cur = liveLp;
            Arrays.sort(order, (a, b) -> Double.compare(cur[b / v] + lp[b / v][b % v], cur[a / v] + lp[a / v][a % v]));
            List<int[]> next = new ArrayList<>();
            List<Integer> keep = new ArrayList<>();
            List<Integer> tokens = new ArrayList<>();
            List<Double> nextLp = new ArrayList<>();
            for (int i = 0; i < Math.min(slots, order.length); i++) {
                int row = order[i] / v;
                int tok = order[i] % v;
                double s = cur[row] + lp[row][tok];
                int[] prefix = live.get(row);
                if (tok == spec.endId()) {
                    done.add(new Hypothesis(prefix, true, s, Hypothesis.normalise(s, prefix.length + 1, alpha)));
                    continue;
                }
                int[] y = Arrays.copyOf(prefix, prefix.length + 1);
                y[prefix.length] = tok;
                if (y.length >= limit) {
                    done.add(new Hypothesis(y, false, s, Hypothesis.normalise(s, y.length, alpha)));
                    continue;
                }
                next.add(y);
                keep.add(row);
                tokens.add(tok);
                nextLp.add(s);
            }
            live = next;
            liveLp = nextLp.stream().mapToDouble(Double::doubleValue).toArray();
            if (!live.isEmpty()) {
                dec.select(keep.stream().mapToInt(Integer::intValue).toArray());
                input = tokens.stream().mapToInt(Integer::intValue).toArray();
            }
        }
        Hypothesis best = null;
        for (Hypothesis h : done) {
            if (best == null || h.score() > best.score()) {
                best = h;
            }
        }
        return best;
    }

    /**
     * The logits the decoder gives under teacher forcing, as training computes them: for each source r and step
     * t = 0 .. n_r (decoder inputs bos y_1 .. y_n), {@code logits[r][t]} over the target vocabulary predicts
     * y_{t+1} (eos at t = n_r).
     */
    public static double[][][] teacherForcedLogits(Seq2SeqModel model, FlatParams params, List<int[]> sources,
            List<int[]> targets) {
        if (sources.size() != targets.size()) {
            throw new IllegalArgumentException("expected one target per source, found " + sources.size()
                    + " sources and " + targets.size() + " targets");
        }
        Decoder.State dec = model.startDecoding(params, sources);
        int b = sources.size();
        int steps = 0;
        double[][][] out = new double[b][][];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < targets.get(r).length; i++) {
                int y = targets.get(r)[i];
                if (y < 0 || y >= model.spec().targetVocab()) {
                    throw new IllegalArgumentException("target token " + i + " of row " + r + " must be in [0, "
                            + model.spec().targetVocab() + "), found " + y);
                }
            }
            out[r] = new double[targets.get(r).length + 1][];
            steps = Math.max(steps, out[r].length);
        }
        int[] input = new int[b];
        for (int t = 0; t < steps; t++) {
            for (int r = 0; r < b; r++) {
                int[] y = targets.get(r);
                // rows past their end read their last token; their later logits are not kept
                input[r] = t == 0 || y.length == 0 ? model.spec().beginId() : y[Math.min(t, y.length) - 1];
            }
            double[][] z = dec.logits(dec.step(input.clone(), t));
            for (int r = 0; r < b; r++) {
                if (t < out[r].length) {
                    out[r][t] = z[r];
                }
            }
        }
        return out;
    }

    /** log softmax(z) per row, shifted by the row's maximum for range. */
    static double[][] logSoftmax(double[][] z) {
        double[][] lp = new double[z.length][];
        for (int r = 0; r < z.length; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[r]) {
                max = Math.max(max, v);
            }
            double s = 0;
            for (double v : z[r]) {
                s += Math.exp(v - max);
            }
            double lse = max + Math.log(s);
            lp[r] = new double[z[r].length];
            for (int j = 0; j < z[r].length; j++) {
                lp[r][j] = z[r][j] - lse;
            }
        }
        return lp;
    }

    private static int argmax(double[] x) {
        int best = 0;
        for (int j = 1; j < x.length; j++) {
            if (x[j] > x[best]) {
                best = j;
            }
        }
        return best;
    }
}
