package io.sparkrnn.driver.corpus.lm;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.StreamLoss;

/**
 * A trained language model scored on the driver, the state carried through the text: bits per token and
 * perplexity over a whole text ({@code evaluate --data}), or over the held-out part of its training corpus as
 * training cut and scored it ({@code evaluate --part validation}, the figure of eval.json's
 * {@code valid_bits_per_*}).
 */
public final class LmEvaluation {
    /** Steps of a window over a whole text; up to 16 lanes of them. */
    private static final int WINDOW = 128;

    private LmEvaluation() {
    }

    /**
     * Bits per token of {@code ids}, a whole text of {@code unit}s of which {@code unknown} were skipped
     * (characters) or mapped to {@code <unk>} (words); throws {@link CorpusException} naming {@code where} for a
     * text shorter than one window.
     */
    public static ObjectNode text(SequenceModel model, FlatParams params, int[] ids, int unknown, TokenUnit unit,
            String where) {
        return text(model, params, ids, unknown, unit, null, where);
    }

    /**
     * As {@link #text(SequenceModel, FlatParams, int[], int, TokenUnit, String)}; for byte-pair-encoding pieces
     * ({@code pieces}: their vocabulary, null for another unit) also per word ({@link LmPieces}).
     */
    public static ObjectNode text(SequenceModel model, FlatParams params, int[] ids, int unknown, TokenUnit unit,
            Vocabulary pieces, String where) {
        int lanes = Math.max(1, Math.min(16, (ids.length - 1) / (WINDOW + 1)));
        String noun = noun(unit);
        if (ids.length < lanes * WINDOW + 1) {
            throw new CorpusException(where + ": too short to evaluate (" + ids.length + " known " + noun
                    + " tokens, need at least " + (WINDOW + 1) + ")");
        }
        double bits = StreamLoss.bitsPerToken(model, params, ids, lanes, WINDOW);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("bits_per_" + noun, bits);
        if (unit == TokenUnit.BPE) {
            boolean[] ends = LmPieces.wordEnds(pieces);
            double perWord = LmPieces.bitsPerWord(bits, ids, lanes, WINDOW, ends);
            n.put("bits_per_word", perWord);
            n.put("perplexity", Math.pow(2, perWord));
            n.put("pieces", ids.length);
            n.put("words", LmPieces.scoredWords(ids, lanes, WINDOW, ends));
            n.put("unknown_pieces", unknown);
            return n;
        }
        n.put("perplexity", Math.pow(2, bits));
        if (unit == TokenUnit.WORDS) {
            n.put("words", ids.length);
            n.put("unknown_words", unknown);
        } else {
            n.put("characters", ids.length);
            n.put("unknown_characters_skipped", unknown);
        }
        return n;
    }

    /**
     * Bits per token of the validation part of {@code corpus} (read with the model's training settings from
     * {@code where}) in windows of {@code k1} as training scored it, with the {@link Unigram} baseline's of its
     * training part on the same tokens; throws {@link CorpusException} naming
     * {@code where} for a part too big for the driver.
     */
    public static ObjectNode heldOut(LmCorpus corpus, String where, SequenceModel model, FlatParams params, int k1,
            TokenUnit unit) {
        int[] valid;
        try {
            valid = corpus.validationTokens(LmData.MAX_DRIVER_VALIDATION);
        } catch (CorpusException e) {
            throw new CorpusException(where + ": " + e.getMessage());
        }
        int lanes = LmData.lanes(valid.length, k1);
        double bits = StreamLoss.bitsPerToken(model, params, valid, lanes, k1);
        String noun = noun(unit);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("bits_per_" + noun, bits);
        double unigram = new Unigram(corpus.trainCounts()).bitsPerToken(valid, lanes, k1);
        if (unit == TokenUnit.BPE) {
            boolean[] ends = LmPieces.wordEnds(corpus.vocabulary());
            double perWord = LmPieces.bitsPerWord(bits, valid, lanes, k1, ends);
            n.put("bits_per_word", perWord);
            n.put("perplexity", Math.pow(2, perWord));
            n.put("unigram_bits_per_" + noun, unigram);
            n.put("unigram_bits_per_word", LmPieces.bitsPerWord(unigram, valid, lanes, k1, ends));
            n.put("pieces", valid.length);
            n.put("words", LmPieces.scoredWords(valid, lanes, k1, ends));
            return n;
        }
        n.put("perplexity", Math.pow(2, bits));
        n.put("unigram_bits_per_" + noun, unigram);
        n.put(unit == TokenUnit.WORDS ? "words" : "characters", valid.length);
        return n;
    }

    private static String noun(TokenUnit unit) {
        return LmData.noun(unit);
    }
}
