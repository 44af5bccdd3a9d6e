package io.sparkrnn.driver.task;

import io.sparkrnn.engine.model.Model;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.Sampler;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.seq2seq.Hypothesis;
import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import io.sparkrnn.engine.train.StreamLoss;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained model of either family as shipped to the tasks of evaluation and prediction jobs (broadcast: spec and
 * flat weights). Each task takes its own {@link #copy} (engine objects are not shared between threads) and runs the
 * model on batches of its rows: a sequence model's forward pass (probabilities, regression outputs) or an
 * encoder-decoder model's decoding; nothing but counts or output rows leaves the task.
 */
public final class LocalModel implements Serializable {
    private static final long serialVersionUID = 1L;
    private final ModelSpec spec;
    private final float[] weights;
    private transient Model model;
    private transient FlatParams params;

    public LocalModel(ModelSpec spec, float[] weights) {
        this.spec = spec;
        this.weights = weights;
    }

    public static LocalModel of(ModelSpec spec, FlatParams params) {
        return new LocalModel(spec, params.flat().castTo(DataType.FLOAT).data().asFloat());
    }

    /** A private instance for one task (shares the immutable weights). */
    public LocalModel copy() {
        return new LocalModel(spec, weights);
    }

    /** The model as {@code family}, built with its weights on first use. */
    private <M extends Model> M model(Class<M> family) {
        if (model == null) {
            model = spec.newModel();
            params = FlatParams.zeros(model.layout(), DataType.FLOAT);
            params.flat().assign(Nd4j.createFromArray(weights));
        }
        return model.as(family);
    }

    /**
     * A language model's {@code length} tokens after {@code prompt}, drawn as {@link Sampler#sample} draws them
     * (seeded: the same arguments give the same tokens).
     */
    public int[] sample(int[] prompt, int length, double temperature, int topK, long seed) {
        return Sampler.sample(model(SequenceModel.class), params, prompt, length, temperature, topK, seed);
    }

    /**
     * A language model's bits per token over {@code ids} (every token after the first, predicted from those before
     * it, in one window: {@link StreamLoss#bitsPerToken} with one lane); NaN for fewer than two tokens.
     */
    public double bitsPerToken(int[] ids) {
        return ids.length < 2 ? Double.NaN
                : StreamLoss.bitsPerToken(model(SequenceModel.class), params, ids, 1, ids.length - 1);
    }

    /** Row-major copy of the head's output {@code [rows, C]}. */
    private float[][] run(SequenceBatch batch, int rows) {
        SequenceModel m = model(SequenceModel.class);
        ModelState state = m.initialState(batch.batchSize(), DataType.FLOAT);
        INDArray out = m.predict(params, batch, state);
        int c = m.spec().outputSize();
        float[] flat = out.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[][] r = new float[rows][];
        for (int i = 0; i < rows; i++) {
            r[i] = Arrays.copyOfRange(flat, i * c, (i + 1) * c);
        }
        return r;
    }

    /** Per row (non-empty token sequences) the class probabilities at each step: {@code [len][C]}. */
    public List<float[][]> alignedProbabilities(List<int[]> rows, int paddingId) {
        List<int[]> dummy = new ArrayList<>(rows.size());
        for (int[] r : rows) {
            dummy.add(new int[r.length]);
        }
        SequenceBatch b = SequenceBatch.padAligned(rows, dummy, paddingId,
                model(SequenceModel.class).spec().ignoreIndex());
        float[][] out = run(b, b.steps() * b.batchSize());
        List<float[][]> res = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            float[][] steps = new float[rows.get(r).length][];
            for (int t = 0; t < steps.length; t++) {
                steps[t] = softmax(out[t * b.batchSize() + r]);
            }
            res.add(steps);
        }
        return res;
    }

    /** Per row (non-empty token sequences) the class probabilities {@code [C]}. */
    public List<float[]> pooledProbabilities(List<int[]> rows, int paddingId) {
        SequenceBatch b = SequenceBatch.padPooled(rows, new int[rows.size()], paddingId);
        float[][] out = run(b, rows.size());
        List<float[]> res = new ArrayList<>(rows.size());
        for (float[] o : out) {
            res.add(softmax(o));
        }
        return res;
    }

    /** Regression outputs per window; {@code windows} are {@code [W * F]} time-major, all of W steps. */
    public float[][] regress(List<float[]> windows, int steps, int features) {
        int b = windows.size();
        float[] x = new float[steps * b * features];
        for (int r = 0; r < b; r++) {
            for (int t = 0; t < steps; t++) {
                System.arraycopy(windows.get(r), t * features, x, (t * b + r) * features, features);
            }
        }
        int[] lengths = new int[b];
        Arrays.fill(lengths, steps);
        int outputs = model(SequenceModel.class).spec().outputSize();
        SequenceBatch batch = SequenceBatch.pooledFeatures(steps, b, features, x, lengths, new float[b * outputs],
                outputs);
        return run(batch, b);
    }

    /**
     * One hypothesis per source (each of 1 to {@code spec.maxSourceLength} tokens) of an encoder-decoder model:
     * greedy when the settings' beam is 1, else beam search of that width.
     */
    public List<Hypothesis> decode(List<int[]> sources, Seq2SeqDecoding.Settings settings) {
        return Seq2SeqDecoding.decode(model(Seq2SeqModel.class), params, sources, settings);
    }

    /** Softmax of one row of logits, max-shifted for stability. */
    public static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= (float) sum;
        }
        return p;
    }

    public static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Consecutive chunks of up to {@code n} non-empty rows: the batches a task runs the model on. */
    public static <T> Iterable<List<T>> chunks(Iterator<T> it, int n) {
        return () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public List<T> next() {
                List<T> c = new ArrayList<>(n);
                while (it.hasNext() && c.size() < n) {
                    c.add(it.next());
                }
                return c;
            }
        };
    }
}
