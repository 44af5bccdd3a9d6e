package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.train.TokenStreamBatcher;

/**
 * A language model of byte-pair-encoding pieces measured per word, so that it compares with a word model: the
 * words of a scored stream are its pieces that end a word ({@link Bpe#END}) and its line ends ({@code <eos>}), the
 * tokens a word model of the same text predicts (an unknown piece, {@code <unk>}, ends no word). Bits per word
 * are the total bits over the scored pieces divided by those words; perplexity is {@code 2^bits_per_word}.
 */
public final class LmPieces {
    private LmPieces() {
    }

    /** Whether each id of a piece vocabulary ends a word: a piece ending with {@link Bpe#END}, or {@code <eos>}. */
    public static boolean[] wordEnds(Vocabulary pieces) {
        boolean[] ends = new boolean[pieces.size()];
        for (int id = 0; id < ends.length; id++) {
            String t = pieces.token(id);
            ends[id] = t.endsWith(Bpe.END) || t.equals(Vocabulary.EOS);
        }
        return ends;
    }

    /**
     * The words among the tokens a language model predicts in one pass of {@code stream} cut into {@code lanes}
     * lanes of {@code steps}-step batches ({@link TokenStreamBatcher}, the tokens its bits per token are over).
     */
    public static long scoredWords(int[] stream, int lanes, int steps, boolean[] ends) {
        return scored(stream, lanes, steps, ends)[1];
    }

    /** The tokens scored and the words among them ({@link #scoredWords}). */
    static long[] scored(int[] stream, int lanes, int steps, boolean[] ends) {
        TokenStreamBatcher b = new TokenStreamBatcher(stream, lanes, steps);
        long tokens = 0;
        long words = 0;
        for (int i = 0; i < b.batchesPerEpoch(); i++) {
            SequenceBatch batch = b.batch(i);
            for (int t : batch.targets()) {
                tokens++;
                words += ends[t] ? 1 : 0;
            }
        }
        return new long[] {tokens, words};
    }

    /**
     * Bits per word of a stream scored at {@code bitsPerPiece} ({@link #scoredWords}); NaN when the scored pieces
     * end no word.
     */
    public static double bitsPerWord(double bitsPerPiece, int[] stream, int lanes, int steps, boolean[] ends) {
        long[] n = scored(stream, lanes, steps, ends);
        return n[1] == 0 ? Double.NaN : bitsPerPiece * n[0] / n[1];
    }

    /**
     * Appends the text of piece ids: pieces joined into words ({@link Bpe#END} dropped), a word separated from what
     * comes before by a space, {@code <eos>} a line end. The ids start a word (what {@code sb} holds ends with
     * whole words: a prompt, or nothing).
     */
    public static void text(Vocabulary pieces, int[] ids, StringBuilder sb) {
        boolean inWord = false;
        for (int id : ids) {
            String t = pieces.token(id);
            if (t.equals(Vocabulary.EOS)) {
                sb.append('\n');
                inWord = false;
                continue;
            }
            if (!inWord && sb.length() > 0 && !Character.isWhitespace(sb.charAt(sb.length() - 1))) {
                sb.append(' ');
            }
            boolean ends = t.endsWith(Bpe.END);
            sb.append(ends ? t.substring(0, t.length() - Bpe.END.length()) : t);
            inWord = !ends;
        }
    }
}
