package io.sparkrnn.jobs;

import io.sparkrnn.driver.task.LocalModel;
import java.io.Serializable;

/**
 * A language model generating text, as {@code bin/spark-rnn predict --prompt} does: the prompt encoded with the
 * model's vocabulary ({@link LmVocabulary}), {@code length} tokens drawn after it ({@link LocalModel#sample}: seeded,
 * so the same arguments give the same text), the prompt and the drawn tokens as text. Serializable, to be broadcast
 * to the tasks (the Spark ML stage of {@code io.sparkrnn.jobs.ml}); each task draws with its own {@link #copy}.
 */
public final class LmGenerator implements Serializable {
    private static final long serialVersionUID = 1L;
    private final LocalModel model;
    private final LmVocabulary vocab;

    private LmGenerator(LocalModel model, LmVocabulary vocab) {
        this.model = model;
        this.vocab = vocab;
    }

    static LmGenerator of(TrainedModel m) {
        LmVocabulary vocab = LmVocabulary.of(m);
        return new LmGenerator(m.local(), vocab);
    }

    /** A private instance for one task (shares the immutable weights and vocabulary). */
    public LmGenerator copy() {
        return new LmGenerator(model.copy(), vocab);
    }

    /**
     * The ids of {@code prompt}: its characters, or its words with {@code <eos>} for every line break (unknown words
     * are {@code <unk>}); a character outside the vocabulary is an {@link IllegalArgumentException} naming it.
     */
    public int[] encode(String prompt) {
        try {
            return vocab.encode(prompt, null);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Bits per token of a text's ids ({@link #encode}) under the model, each token predicted from those before it
     * ({@link LocalModel#bitsPerToken}; for a text of {@code 129} tokens the figure of {@code evaluate --data}); NaN
     * for fewer than two tokens.
     */
    public double bitsPerToken(int[] ids) {
        return model.bitsPerToken(ids);
    }

    /**
     * {@code prompt} followed by the {@code length} tokens drawn after its ids {@code ids} ({@link #encode}) at
     * {@code temperature} among the {@code topK} likeliest (0: all), with {@code seed}.
     */
    public String generate(String prompt, int[] ids, int length, double temperature, int topK, long seed) {
        StringBuilder sb = new StringBuilder(prompt);
        vocab.decode(model.sample(ids, length, temperature, topK, seed), sb);
        return sb.toString();
    }
}
