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
 * hypotheses forming the decoder's batch. With {@code noRepeatNgram} = n &gt; 0 (fairseq's and Hugging Face's
 * {@code no_repeat_ngram_size}) a token that would complete an n-gram of generated tokens that the hypothesis
 * already holds is never chosen: a model that loops ("the lord , and the lord , and ...") must leave the loop.
 */
public final class Seq2SeqDecoding {
    private Seq2SeqDecoding() {
    }

    /**
     * How to decode.
     *
     * @param beam          the beam width; 1 = greedy
     * @param alpha         the length normalisation of the scores ({@link Hypothesis#normalise}), &gt;= 0
     * @param noRepeatNgram no n-gram of this many tokens twice in an output; 0 = off
     */
    public record Settings(int beam, double alpha, int noRepeatNgram) implements java.io.Serializable {
        public Settings {
            if (beam <= 0) {
                throw new IllegalArgumentException("beamSize must be positive, found " + beam);
            }
            if (!(alpha >= 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("alpha must be finite and >= 0, found " + alpha);
            }
            if (noRepeatNgram < 0) {
                throw new IllegalArgumentException("noRepeatNgram must be >= 0, found " + noRepeatNgram);
            }
        }

        /** These settings with beam width 1. */
        public Settings greedy() {
            return new Settings(1, alpha, noRepeatNgram);
        }
    }

    /** What decoding asks of a decoder: the next logits of every row after a step, and the reordering of rows. */
    interface Steps {
        /** Feeds {@code tokens} (one per row) at step {@code t}; returns the logits of the next token per row. */
        double[][] next(int[] tokens, int t);

        /** Keeps rows {@code keep} in that order (repeats allowed). */
        void select(int[] keep);
    }

    /** Greedy when {@code settings.beam()} is 1, else beam search of that width. */
    public static List<Hypothesis> decode(Seq2SeqModel model, FlatParams params, List<int[]> sources,
            Settings settings) {
        return settings.beam() == 1 ? greedy(model, params, sources, settings)
                : beam(model, params, sources, settings);
    }

    /** The most probable token at every step, for each source; scores normalised with {@code alpha}. */
    public static List<Hypothesis> greedy(Seq2SeqModel model, FlatParams params, List<int[]> sources, double alpha) {
        return greedy(model, params, sources, new Settings(1, alpha, 0));
    }

    /** The most probable allowed token at every step, for each source (the settings' beam is not read). */
    public static List<Hypothesis> greedy(Seq2SeqModel model, FlatParams params, List<int[]> sources,
            Settings settings) {
        int[] limit = new int[sources.size()];
        for (int r = 0; r < limit.length; r++) {
            limit[r] = model.spec().maxTargetLength(sources.get(r).length);
        }
        return greedy(model.spec(), model.startDecoding(params, sources), limit, settings);
    }

    static List<Hypothesis> greedy(Seq2SeqSpec spec, Steps dec, int[] limit, Settings settings) {
        double alpha = settings.alpha();
        int b = limit.length;
        int maxLen = 0;
        for (int r = 0; r < b; r++) {
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
            double[][] lp = logSoftmax(dec.next(input.clone(), t));
            for (int r = 0; r < b; r++) {
                if (done[r]) {
                    continue;
                }
                int best = argmax(lp[r], banned(toks.get(r), settings.noRepeatNgram(), lp[r].length));
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
        return beam(model, params, sources, new Settings(beamSize, alpha, 0));
    }

    /** As {@link #beam(Seq2SeqModel, FlatParams, List, int, double)}, with the n-gram rule of the settings. */
    public static List<Hypothesis> beam(Seq2SeqModel model, FlatParams params, List<int[]> sources,
            Settings settings) {
        List<Hypothesis> greedy = greedy(model, params, sources, settings);
        List<Hypothesis> out = new ArrayList<>();
        for (int r = 0; r < sources.size(); r++) {
            Decoder.State dec = model.startDecoding(params, List.of(sources.get(r)));
            Hypothesis best = search(model.spec(), dec, model.spec().maxTargetLength(sources.get(r).length),
                    settings);
            out.add(best.score() >= greedy.get(r).score() ? best : greedy.get(r));
        }
        return out;
    }

    /**
     * Beam search of one source on {@code dec} (one row before {@code <bos>}): the finished (or length-limited)
     * hypothesis with the best normalised score.
     */
    static Hypothesis search(Seq2SeqSpec spec, Steps dec, int limit, Settings settings) {
        int beamSize = settings.beam();
        double alpha = settings.alpha();
        List<int[]> live = new ArrayList<>();
        live.add(new int[0]);
        double[] liveLp = {0};
        List<Hypothesis> done = new ArrayList<>();
        int[] input = {spec.beginId()};
        for (int t = 0; t < limit && !live.isEmpty(); t++) {
            double[][] lp = logSoftmax(dec.next(input, t));
            int v = lp[0].length;
            boolean[][] banned = new boolean[live.size()][];
            for (int row = 0; row < live.size(); row++) {
                banned[row] = banned(live.get(row), settings.noRepeatNgram(), v);
            }
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
            for (int i = 0, taken = 0; i < order.length && taken < slots; i++) {
                int row = order[i] / v;
                int tok = order[i] % v;
                if (banned[row] != null && banned[row][tok]) {
                    continue;
                }
                taken++;
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
            double[][] z = dec.next(input.clone(), t);
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

    /** The first index of the largest value of {@code x} not {@code banned} (null: none banned). */
    private static int argmax(double[] x, boolean[] banned) {
        int best = -1;
        for (int j = 0; j < x.length; j++) {
            if ((banned == null || !banned[j]) && (best < 0 || x[j] > x[best])) {
                best = j;
            }
        }
        return best;
    }

    /**
     * The tokens (of {@code vocab}) that would complete an n-gram already in {@code prefix} (the generated tokens),
     * or null when none is banned ({@code n} = 0, or the prefix too short to hold an n-gram).
     */
    static boolean[] banned(int[] prefix, int n, int vocab) {
        if (n <= 0 || prefix.length < n) {
            return null;
        }
        boolean[] out = new boolean[vocab];
        int ctx = prefix.length - (n - 1);
        for (int i = 0; i + n <= prefix.length; i++) {
            boolean same = true;
            for (int k = 0; k < n - 1 && same; k++) {
                same = prefix[i + k] == prefix[ctx + k];
            }
            if (same) {
                out[prefix[i + n - 1]] = true;
            }
        }
        return out;
    }

    private static boolean[] banned(List<Integer> prefix, int n, int vocab) {
        return n <= 0 || prefix.size() < n ? null
                : banned(prefix.stream().mapToInt(Integer::intValue).toArray(), n, vocab);
    }
}
