package io.sparkrnn.jobs;

import io.sparkrnn.driver.corpus.lm.CharCorpus;
import io.sparkrnn.driver.corpus.lm.LmData;
import io.sparkrnn.driver.corpus.lm.LmPieces;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.engine.model.SequenceModel;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained language model's vocabulary, for evaluate and predict on the driver: characters from
 * {@code vocab-chars.txt} (unknown characters are skipped, as they always were), or words from
 * {@code vocab-words.txt} ({@link Vocabulary#toText} format; unknown words map to {@code <unk>}), or byte-pair-encoding
 * pieces from {@code vocab-words.txt} and the merges of {@link Bpe#INPUT_FILE}. Words are cut as
 * {@code LmTextReader} cuts them in training: whitespace-separated, with {@code <eos>} for every line end.
 * Serializable, to go to the tasks with an {@link LmGenerator}.
 */
final class LmVocabulary implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final TokenUnit unit;
    private final List<Integer> codePoints;
    private final Vocabulary words;
    private final Bpe bpe;

    private LmVocabulary(TokenUnit unit, List<Integer> codePoints, Vocabulary words, Bpe bpe) {
        this.unit = unit;
        this.codePoints = codePoints;
        this.words = words;
        this.bpe = bpe;
    }

    /** The vocabulary file saved with a model of this unit. */
    static String file(TokenUnit unit) {
        return unit == TokenUnit.CHARS ? LmData.VOCAB : LmData.WORDS;
    }

    static LmVocabulary of(TrainedModel m) {
        TokenUnit unit = m.settings().lm().tokens();
        int rows = m.model(SequenceModel.class).spec().vocabSize();
        if (unit == TokenUnit.CHARS) {
            Location file = m.dir().resolve(LmData.VOCAB);
            List<Integer> chars;
            try {
                chars = CharCorpus.parseVocabulary(file.readBytes(), file.toString());
            } catch (java.io.IOException e) {
                throw new InputException("cannot read vocabulary " + file + ": " + e.getMessage());
            }
            requireSize(file, chars.size(), rows);
            return new LmVocabulary(unit, chars, null, null);
        }
        Vocabulary v = Vocabulary.fromText(m.file(LmData.WORDS), m.dir().resolve(LmData.WORDS).toString());
        requireSize(m.dir().resolve(LmData.WORDS), v.size(), rows);
        if (v.id(Vocabulary.UNK) < 0 || v.id(Vocabulary.EOS) < 0) {
            throw new InputException(m.dir().resolve(LmData.WORDS) + ": a word language model's vocabulary must "
                    + "hold " + Vocabulary.UNK + " and " + Vocabulary.EOS);
        }
        return new LmVocabulary(unit, null, v, LmTask.merges(m));
    }

    /** A vocabulary file that does not fit the model's embedding (cut short, emptied, another model's) is bad input. */
    private static void requireSize(Location file, int tokens, int rows) {
        if (tokens != rows) {
            throw new InputException(file + " holds " + tokens + " tokens, but the model's embedding has " + rows
                    + " rows: the vocabulary and the weights do not belong together");
        }
    }

    TokenUnit unit() {
        return unit;
    }

    /** "char", "word" or "piece", for messages and metric names ({@code bits_per_char}, {@code bits_per_piece}). */
    String noun() {
        return LmData.noun(unit);
    }

    /** The vocabulary of byte-pair-encoding pieces; null for characters and words. */
    Vocabulary pieces() {
        return unit == TokenUnit.BPE ? words : null;
    }

    /**
     * The ids of {@code text}; {@code unknown[0]} (when given) counts the unknown tokens: skipped characters, or
     * words mapped to {@code <unk>}. Without {@code unknown} an unknown character fails (prompts).
     */
    int[] encode(String text, int[] unknown) {
        if (unit == TokenUnit.CHARS) {
            return CharCorpus.encode(text, codePoints, unknown);
        }
        List<Integer> ids = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            for (String w : TokenUnit.WORDS.split(lines[i])) {
                for (String t : bpe == null ? new String[] {w} : bpe.encode(w)) {
                    int id = words.id(t);
                    if (id == words.id(Vocabulary.UNK) && !t.equals(Vocabulary.UNK) && unknown != null) {
                        unknown[0]++;
                    }
                    ids.add(id);
                }
            }
            if (i < lines.length - 1) {
                ids.add(words.id(Vocabulary.EOS));
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Appends the text of generated ids: characters as they are; words space-separated, {@code <eos>} a newline;
     * pieces joined into words first ({@link LmPieces#text}).
     */
    void decode(int[] ids, StringBuilder sb) {
        if (bpe != null) {
            LmPieces.text(words, ids, sb);
            return;
        }
        for (int id : ids) {
            if (unit == TokenUnit.CHARS) {
                sb.appendCodePoint(codePoints.get(id));
                continue;
            }
            String w = words.token(id);
            if (w.equals(Vocabulary.EOS)) {
                sb.append('\n');
                continue;
            }
            if (sb.length() > 0 && !Character.isWhitespace(sb.charAt(sb.length() - 1))) {
                sb.append(' ');
            }
            sb.append(w);
        }
    }
}
