package io.sparkrnn.engine.model;

import io.sparkrnn.engine.param.FlatParams;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Generation from a language model (aligned topology, token input, one output per vocabulary entry,
 * unidirectional). The prompt is fed once with the state carried (batch of 1); then each step draws
 *
 * <pre>
 *   p(i) = exp(z_i / tau) / sum_{j in K} exp(z_j / tau)     for i in K, 0 elsewhere
 * </pre>
 *
 * from the logits {@code z} of the last step, where {@code tau} is the temperature and K the topK ids with the
 * largest logits (all ids when topK = 0; ties go to the smaller id), and feeds the drawn id back as the next
 * input. The draws come from one {@code SplittableRandom(seed)}: the same arguments give the same sample.
 */
public final class Sampler {
    private Sampler() {
    }

    /**
     * {@code length} tokens drawn after {@code prompt} (the prompt is not included in the result).
     *
     * @param temperature tau &gt; 0 (finite); small values approach greedy decoding, 1 samples the model
     * @param topK        draw only among the topK most likely ids, or 0 for all
     */
    public static int[] sample(SequenceModel model, FlatParams params, int[] prompt, int length, double temperature,
            int topK, long seed) {
        SequenceSpec spec = model.spec();
        checkLanguageModel(spec);
        if (!params.layout().equals(model.layout())) {
            throw new IllegalArgumentException("parameter vector has another layout than the model: expected "
                    + model.layout().size() + " parameters, found " + params.layout().size());
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be positive and finite, found " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = all), found " + topK);
        }
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, found " + length);
        }
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("prompt must hold at least one token, found "
                    + (prompt == null ? "null" : "none"));
        }
        for (int s = 0; s < prompt.length; s++) {
            if (prompt[s] < 0 || prompt[s] >= spec.vocabSize()) {
                throw new IllegalArgumentException("prompt token at step " + s + " must be in [0, " + spec.vocabSize()
                        + "), found " + prompt[s]);
            }
        }
        SplittableRandom rng = new SplittableRandom(seed);
        ModelState state = model.initialState(1, params.dataType());
        int[] out = new int[length];
        double[] logits = lastLogits(model, params, prompt, state);
        for (int i = 0; i < length; i++) {
            out[i] = draw(logits, temperature, topK, rng);
            if (i + 1 < length) {
                logits = lastLogits(model, params, new int[] {out[i]}, state);
            }
        }
        return out;
    }

    private static void checkLanguageModel(SequenceSpec spec) {
        if (spec.topology() != SequenceSpec.Topology.ALIGNED || !spec.tokenInput()
                || spec.loss() != SequenceSpec.Loss.CROSS_ENTROPY || spec.outputSize() != spec.vocabSize()
                || spec.bidirectional()) {
            throw new IllegalArgumentException("sampling needs a language model (aligned, token input, "
                    + "unidirectional, cross-entropy over the vocabulary), found topology " + spec.topology()
                    + ", vocabSize " + spec.vocabSize() + ", outputSize " + spec.outputSize() + ", bidirectional "
                    + spec.bidirectional() + ", loss " + spec.loss());
        }
    }

    /** Feeds {@code tokens} (one row) and returns the logits of the last step; advances {@code state}. */
    private static double[] lastLogits(SequenceModel model, FlatParams params, int[] tokens, ModelState state) {
        int t = tokens.length;
        int[] ignored = new int[t];
        Arrays.fill(ignored, model.spec().ignoreIndex());
        SequenceBatch batch = SequenceBatch.alignedTokens(t, 1, tokens, new int[] {t}, ignored);
        INDArray logits = model.predict(params, batch, state); // [T*1, C]
        return logits.getRow(t - 1).toDoubleVector();
    }

    /** One draw from softmax(z / tau) restricted to the topK largest logits. */
    static int draw(double[] z, double temperature, int topK, SplittableRandom rng) {
        int[] ids = topIds(z, topK);
        double max = z[ids[0]];
        double[] w = new double[ids.length];
        double sum = 0;
        for (int i = 0; i < ids.length; i++) {
            w[i] = Math.exp((z[ids[i]] - max) / temperature);
            sum += w[i];
        }
        double u = rng.nextDouble() * sum;
        double acc = 0;
        for (int i = 0; i < ids.length; i++) {
            acc += w[i];
            if (u < acc) {
                return ids[i];
            }
        }
        return ids[0]; // only reached through rounding when u is within an ulp of sum: the most likely id
    }

    /** Ids sorted by descending logit (stable: ties by ascending id), the first topK (all when topK is 0). */
    static int[] topIds(double[] z, int topK) {
        for (int i = 0; i < z.length; i++) {
            if (Double.isNaN(z[i])) {
                throw new IllegalStateException("logit " + i + " is NaN; the parameters are not finite");
            }
        }
        Integer[] order = new Integer[z.length];
        for (int i = 0; i < z.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(z[b], z[a]));
        int k = topK == 0 ? z.length : Math.min(topK, z.length);
        int[] ids = new int[k];
        for (int i = 0; i < k; i++) {
            ids[i] = order[i];
        }
        return ids;
    }
}
